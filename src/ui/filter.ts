/** The events filter: a case-insensitive substring over an event's text and kind (pure). */
import type { EventView } from '../view/model.js';

export function filterEvents(events: readonly EventView[], filter: string): readonly EventView[] {
  const needle = filter.trim().toLowerCase();
  if (needle === '') return events;
  return events.filter((e) => e.text.toLowerCase().includes(needle) || e.kind.toLowerCase().includes(needle));
}
