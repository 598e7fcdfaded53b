#!/usr/bin/env node
// The dashboard's React runs its production build unless told otherwise: the development
// build is slower and keeps a timing entry for every render of every component.
process.env.NODE_ENV ??= 'production';
const { execute } = await import('@oclif/core');

await execute({ dir: import.meta.url });
