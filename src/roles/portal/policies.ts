/** How a portal picks the master for a request (§12.3): the vocabulary its command line offers. */
export const PORTAL_POLICIES = ['round-robin', 'priority', 'resources', 'least-loaded', 'nearest'] as const;
export type PortalPolicy = (typeof PORTAL_POLICIES)[number];

export function isPortalPolicy(s: string): s is PortalPolicy {
  return (PORTAL_POLICIES as readonly string[]).includes(s);
}
