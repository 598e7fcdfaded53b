/**
 * Normal play time accounting (S2.1–S2.3, spec §10.3). The failover manager
 * knows a stream's position from its control events alone:
 *
 *  - a message that carries a position (`play`) sets it as it is;
 *  - an adjustment at time t adds the stretch since the previous event at the
 *    previous rate: (t − t_prev) × rate_prev ÷ media rate, i.e. × scale_prev;
 *  - at a change event at time t_e the position is the cumulative NPT plus the
 *    stretch since the last event at the current rate.
 *
 * Rates are net of overhead: a stream's pace counts payload only (headers and
 * resent data are not part of it), so elapsed time × rate is media data.
 * Scales are thousandths of the media rate.
 */
export interface NptState {
  /** Cumulative normal play time at `when`, ms. */
  readonly base: number;
  /** Time of the last event, ms. */
  readonly when: number;
  /** Rate since then, thousandths of the media rate. */
  readonly scale: number;
}

/** A `play` (or any message carrying a position): the position as it is. */
export function played(npt: number, when: number, scale: number): NptState {
  return { base: npt, when, scale };
}

/** An adjustment at `when` to `scale`: add the stretch since the last event at the previous rate. */
export function adjusted(s: NptState, when: number, scale: number): NptState {
  return { base: nptAt(s, when), when: Math.max(when, s.when), scale };
}

/** The position at time `t` (a change event): the cumulative NPT plus the stretch since the last event. */
export function nptAt(s: NptState, t: number): number {
  return s.base + (Math.max(0, t - s.when) * s.scale) / 1000;
}
