// The canonical mail event: the one contract between parsers, the hub, the
// wire and users' own scripts (`mtaviz parse` prints exactly this, one JSON
// object per line). Fields are omitted when unknown, never set to null.

export const KINDS = ['injection', 'delivery', 'deferral', 'bounce', 'rejection'] as const;
export type Kind = (typeof KINDS)[number];

/** Index of a kind in KINDS; per-kind counters on the wire are arrays in this order. */
export const KIND_INDEX: Readonly<Record<Kind, number>> = {
  injection: 0,
  delivery: 1,
  deferral: 2,
  bounce: 3,
  rejection: 4,
};

/** Counts per kind, in KINDS order. */
export type KindCounts = [number, number, number, number, number];

export const FORMATS = ['postfix', 'exim', 'sparkpost', 'pmta', 'json'] as const;
export type Format = (typeof FORMATS)[number];

export interface MailEvent {
  /** Epoch milliseconds (UTC) of the log line. */
  ts: number;
  /** The parser that produced the event. */
  format: Format;
  kind: Kind;
  /** The host that logged it. */
  mta?: string;
  /** Where the message entered (listener, load balancer, injection API...). */
  ingress?: string;
  /** The outbound proxy, transport, binding or virtual MTA it left through. */
  egress?: string;
  /** Remote host IP, IPv4 or IPv6. */
  destIp?: string;
  /** Recipient domain. */
  domain?: string;
  /** Enhanced status code, e.g. "5.1.1". */
  dsn?: string;
  /** Time since the message arrived at this MTA. */
  delayMs?: number;
  queueId?: string;
  /** Short failure text; address local parts masked unless the user opted in. */
  reason?: string;
  /** Daemon (box) that observed the event, when several are federated. */
  box?: string;
}
