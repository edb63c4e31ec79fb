// Failure classes: what the bounce floor bins by. The daemon counts every
// failure per class exactly (stats `failures`), and the browser classifies
// each sampled ball with the same function, so a ball lands in the bin whose
// count it is part of. Pure, cheap (a few character tests), run only for
// deferrals, bounces and rejections.
//
// Enhanced status codes (RFC 3463) are class.subject.detail; the subject says
// what went wrong: X.1.x addressing (bad mailbox), X.4.x network and routing
// (DNS, connections), X.7.x security and policy (spam blocks, RBLs, relay
// denied). X.4.7 is "delivery time expired", which gets its own bin with the
// expiries MTAs report in words (Postfix "status=expired").

export const FAILURE_CLASSES = ['mailbox', 'policy', 'routing', 'expired', 'other'] as const;
export type FailureClass = (typeof FAILURE_CLASSES)[number];

/** What each bin means, for legends and tooltips. */
export const FAILURE_LABELS: Readonly<Record<FailureClass, string>> = {
  mailbox: 'bad mailbox (x.1.x)',
  policy: 'policy or spam block (x.7.x)',
  routing: 'routing or DNS (x.4.x)',
  expired: 'expired (x.4.7, given up)',
  other: 'other',
};

const MAILBOX = 0;
const POLICY = 1;
const ROUTING = 2;
const EXPIRED = 3;
const OTHER = 4;

// Words MTAs use when they give up on a message: Postfix "expired", Exim
// "retry timeout exceeded", Sendmail-style "too long in queue".
const EXPIRY = /\bexpired\b|retry time ?out exceeded|too long in (?:the )?queue/i;
const DSN_IN_TEXT = /\b[245]\.(\d{1,3})\.(\d{1,3})\b/;

/** Index into FAILURE_CLASSES for a failure with this DSN and reason. */
export function failureClass(dsn: string | undefined, reason: string | undefined): number {
  let subject = -1;
  let detail = -1;
  if (dsn !== undefined && dsn.length >= 5 && dsn.charCodeAt(1) === 46 /* . */) {
    const dot = dsn.indexOf('.', 2);
    if (dot > 2) {
      subject = Number(dsn.slice(2, dot));
      detail = Number(dsn.slice(dot + 1));
    }
  }
  if (reason !== undefined && (reason === 'expired' || EXPIRY.test(reason))) return EXPIRED;
  if (subject < 0 && reason !== undefined) {
    const m = DSN_IN_TEXT.exec(reason);
    if (m) {
      subject = Number(m[1]);
      detail = Number(m[2]);
    }
  }
  switch (subject) {
    case 1:
      return MAILBOX;
    case 4:
      return detail === 7 ? EXPIRED : ROUTING;
    case 7:
      return POLICY;
    default:
      return OTHER;
  }
}
