// The recipient side of the demo world: mailbox providers, the domains they
// host, their MX host names, the address blocks their MX hosts live in, how
// fast they answer and what they say when they refuse.
//
// Where the address blocks come from (so the first-octet meter shows the
// structure real traffic has, not noise):
// - Google (AS15169): the _netblocks.google.com SPF TXT records Google points
//   to in https://support.google.com/a/answer/60764; real gmail-smtp-in /
//   aspmx MX addresses in captured logs fall in them (74.125.25.27,
//   108.177.14.26, 2607:f8b0:400e:c04::1b in ../shared/reference/mta-log-formats.md §3.3).
// - Microsoft Exchange Online Protection: the spf.protection.outlook.com TXT
//   record ("ip4:40.92.0.0/15 ip4:40.107.0.0/16 ip4:52.100.0.0/14
//   ip4:104.47.0.0/17 ip6:2a01:111:f400::/48 ..."), the same blocks Microsoft's
//   "Microsoft 365 URLs and IP address ranges" lists for *.mail.protection.outlook.com on TCP 25.
// - Yahoo / AOL (AS36646): ARIN registrations 67.195.0.0/16, 98.136.0.0/14 and
//   74.6.0.0/16; real mta7.am0.yahoodns.net answers from 74.6.136.244 and
//   98.136.216.22 (mta-log-formats.md §3.3).
// - Apple: ARIN NET-17-0-0-0-1, all of 17.0.0.0/8 (mx01.mail.icloud.com is in 17.57/16).
// - Comcast: ARIN 96.64.0.0/11 (Comcast Cable Communications).
// - United Internet (GMX, WEB.DE): RIPE 212.227.0.0/16 (1&1 IONOS).
// - Orange: RIPE 193.252.0.0/16 (France Telecom - Orange), smtp-in.orange.fr.
// - Mail.Ru: RIPE 94.100.176.0/20 (VK / Mail.Ru, AS47764).
// - Yandex: RIPE 77.88.0.0/18 (AS13238).
// - The long tail of small domains sits at hosting providers: OVH (RIPE
//   51.68.0.0/16, 51.75.0.0/16), Hetzner (RIPE 88.198.0.0/16, 78.46.0.0/15,
//   136.243.0.0/16), DigitalOcean (ARIN 159.89.0.0/16, 167.99.0.0/16,
//   138.68.0.0/16), Linode/Akamai (ARIN 45.33.0.0/17, 172.104.0.0/15).
// Domain weights are a rough shape of a US-centred consumer mailing list
// (Gmail about a third, Microsoft and Yahoo next, Apple growing), not
// anyone's measured data.

import type { Random } from './random.js';

/** What a reply text can refer to. */
export interface ReplyContext {
  /** Recipient address. */
  rcpt: string;
  domain: string;
  /** `host[ip]` of the MX that answered. */
  peer: string;
  /** The sending (proxy) IP the MX saw. */
  sourceIp: string;
  rng: Random;
  /** Epoch ms of the reply, for providers that stamp their replies. */
  at: number;
}

export interface Failure {
  /** Enhanced status code logged as dsn=. */
  dsn: string;
  weight: number;
  /**
   * The reason text in the parentheses after status=. `relayNone` failures
   * happen before a connection (relay=none) and name the peer themselves.
   */
  text: (c: ReplyContext) => string;
  relayNone?: boolean;
  /** Seconds the client spent before giving up (connection timeouts). */
  stall?: number;
  /** Refused after the message was transferred ("in reply to end of DATA"). */
  atData?: boolean;
  /** Retries of this failure keep failing (dead hosts, full mailboxes). */
  sticky?: boolean;
}

export interface Provider {
  name: string;
  /** Recipient domains and their weights in the traffic mix. */
  domains: ReadonlyArray<readonly [string, number]>;
  /** MX host names for a domain, preferred first. */
  mx: (domain: string) => string[];
  ipv4: readonly string[];
  ipv6?: string;
  /** How many distinct MX addresses the world draws for this provider. */
  mxAddresses: number;
  /** Median seconds for connection setup (TCP, EHLO, TLS) and for the transfer. */
  connect: number;
  transfer: number;
  ok: (c: ReplyContext) => string;
  deferrals: readonly Failure[];
  bounces: readonly Failure[];
  /** Multiplies the base deferral probability; >1 for providers that throttle. */
  deferFactor: number;
  /** Extra deferral factor while a burst is running (volume throttling). */
  burstDeferFactor: number;
}

const said = (c: ReplyContext, reply: string, stage: string) => `host ${c.peer} said: ${reply} (in reply to ${stage} command)`;
const tok = (c: ReplyContext, n: number) => c.rng.hex(n).toLowerCase();

// Postfix joins a multi-line reply into one line, keeping each line's code.
const multi = (code: string, dsn: string, lines: string[]) =>
  lines.map((l, i) => `${code}${i === lines.length - 1 ? ' ' : '-'}${dsn} ${l}`).join(' ');

// Failures every provider can produce: the network between us and them.
const NETWORK_DEFERRALS: Failure[] = [
  {
    dsn: '4.4.1',
    weight: 2,
    relayNone: true,
    stall: 30,
    text: (c) => `connect to ${c.peer}:25: Connection timed out`,
  },
  {
    dsn: '4.4.2',
    weight: 1,
    text: (c) => `lost connection with ${c.peer} while receiving the initial server greeting`,
  },
  {
    dsn: '4.4.2',
    weight: 1,
    text: (c) => `conversation with ${c.peer} timed out while sending end of data -- message may be sent more than once`,
  },
];

const google: Provider = {
  name: 'google',
  domains: [
    ['gmail.com', 300],
    ['googlemail.com', 4],
    // Google Workspace customers (Microsoft's and others' fictional company names).
    ['adventure-works.com', 9],
    ['alpineskihouse.com', 7],
    ['fourthcoffee.com', 6],
    ['lucernepublishing.com', 6],
    ['margiestravel.com', 5],
    ['wingtiptoys.com', 6],
    ['cohowinery.com', 4],
    ['treyresearch.net', 5],
  ],
  mx: (d) =>
    d === 'gmail.com' || d === 'googlemail.com'
      ? ['gmail-smtp-in.l.google.com', 'alt1.gmail-smtp-in.l.google.com', 'alt2.gmail-smtp-in.l.google.com']
      : ['aspmx.l.google.com', 'alt1.aspmx.l.google.com', 'alt2.aspmx.l.google.com'],
  ipv4: ['142.250.0.0/15', '172.217.0.0/19', '172.253.0.0/16', '173.194.0.0/16', '209.85.128.0/17', '74.125.0.0/16', '64.233.160.0/19', '108.177.8.0/21'],
  ipv6: '2607:f8b0:4000::/48',
  mxAddresses: 12,
  connect: 0.12,
  transfer: 0.25,
  ok: (c) => `250 2.0.0 OK  ${Math.floor(c.rng.range(1.7e9, 1.8e9))} ${c.rng.pick(['a', 'd', 'e', 'h', 'n', 's'])}${c.rng.int(99)}si${c.rng.int(9_999_999)}.${c.rng.int(999)} - gsmtp`,
  deferFactor: 0.7,
  burstDeferFactor: 2.5,
  deferrals: [
    {
      dsn: '4.7.28',
      weight: 5,
      atData: true,
      text: (c) =>
        said(
          c,
          multi('421', '4.7.28', [
            `[${c.sourceIp}      15] Our system has detected an unusual rate of`,
            'unsolicited mail originating from your IP address. To protect our',
            'users from spam, mail sent from your IP address has been temporarily',
            'rate limited. For more information, go to',
            ` https://support.google.com/mail/?p=UnsolicitedRateLimitError to review our Bulk Email Senders Guidelines. ${tok(c, 12)}.${c.rng.int(999)} - gsmtp`,
          ]),
          'end of DATA',
        ),
    },
    {
      dsn: '4.2.1',
      weight: 3,
      text: (c) =>
        said(
          c,
          multi('450', '4.2.1', [
            'The user you are trying to contact is receiving mail at a rate that',
            'prevents additional messages from being delivered. For more',
            'information, go to',
            ` https://support.google.com/mail/?p=ReceivingRatePerUser ${tok(c, 12)}.${c.rng.int(999)} - gsmtp`,
          ]),
          'RCPT TO',
        ),
    },
    {
      dsn: '4.2.2',
      weight: 2,
      sticky: true,
      text: (c) =>
        said(
          c,
          multi('452', '4.2.2', [
            'The recipient\'s inbox is out of storage space. Please direct the',
            'recipient to',
            ` https://support.google.com/mail/?p=OverQuotaTemp ${tok(c, 12)}.${c.rng.int(999)} - gsmtp`,
          ]),
          'RCPT TO',
        ),
    },
    ...NETWORK_DEFERRALS,
  ],
  bounces: [
    {
      dsn: '5.1.1',
      weight: 12,
      text: (c) =>
        said(
          c,
          multi('550', '5.1.1', [
            'The email account that you tried to reach does not exist. Please try',
            'double-checking the recipient\'s email address for typos or',
            'unnecessary spaces. For more information, go to',
            ` https://support.google.com/mail/?p=NoSuchUser ${tok(c, 12)}.${c.rng.int(999)} - gsmtp`,
          ]),
          'RCPT TO',
        ),
    },
    {
      dsn: '5.7.1',
      weight: 3,
      atData: true,
      text: (c) =>
        said(
          c,
          multi('550', '5.7.1', [
            `[${c.sourceIp}      12] Our system has detected that this message is`,
            'likely unsolicited mail. To reduce the amount of spam sent to Gmail,',
            'this message has been blocked. For more information, go to',
            ` https://support.google.com/mail/?p=UnsolicitedMessageError ${tok(c, 12)}.${c.rng.int(999)} - gsmtp`,
          ]),
          'end of DATA',
        ),
    },
    {
      dsn: '5.2.1',
      weight: 2,
      text: (c) =>
        said(
          c,
          multi('550', '5.2.1', [
            'The email account that you tried to reach is inactive. For more',
            'information, go to',
            ` https://support.google.com/mail/?p=DisabledUser ${tok(c, 12)}.${c.rng.int(999)} - gsmtp`,
          ]),
          'RCPT TO',
        ),
    },
  ],
};

const msInternal = (c: ReplyContext) =>
  `[${c.rng.pick(['BN', 'CO', 'DM', 'SN', 'MW'])}${c.rng.int(9) + 1}NAM${c.rng.int(11) + 1}FT0${c.rng.int(90) + 10}.eop-nam${c.rng.int(11) + 1}.prod.protection.outlook.com ${new Date(c.at).toISOString()} ${c.rng.hex(16)}]`;

const microsoftConsumer: Provider = {
  name: 'microsoft',
  domains: [
    ['hotmail.com', 60],
    ['outlook.com', 50],
    ['live.com', 18],
    ['msn.com', 7],
  ],
  mx: (d) => [`${d.replace(/\./g, '-')}.olc.protection.outlook.com`],
  ipv4: ['40.92.0.0/15', '40.107.0.0/16', '52.100.0.0/14', '104.47.0.0/17'],
  ipv6: '2a01:111:f400::/48',
  mxAddresses: 10,
  connect: 0.2,
  transfer: 0.45,
  ok: (c) =>
    `250 2.6.0 <${c.rng.hex(20).toLowerCase()}@mtaviz.example> [InternalId=${c.rng.int(9e12)}, Hostname=${c.rng.pick(['BY', 'CH', 'DM', 'SA'])}${c.rng.int(9) + 1}PR${c.rng.int(20)}MB${c.rng.int(9999)}.namprd${c.rng.int(20)}.prod.outlook.com] ${c.rng.int(40000) + 2000} bytes in ${c.rng.range(0.05, 0.5).toFixed(3)}, ${c.rng.range(20, 400).toFixed(3)} KB/sec Queued mail for delivery -> 250 2.1.5`,
  deferFactor: 1.3,
  burstDeferFactor: 3,
  deferrals: [
    {
      dsn: '4.7.650',
      weight: 5,
      text: (c) =>
        said(
          c,
          `451 4.7.650 The mail server [${c.sourceIp}] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://aka.ms/postmaster (S775) [Name=Protocol Filter Agent][AGT=PFA][MxId=${c.rng.hex(16)}] ${msInternal(c)}`,
          'MAIL FROM',
        ),
    },
    {
      dsn: '4.7.500',
      weight: 3,
      text: (c) => said(c, `451 4.7.500 Server busy. Please try again later from [${c.sourceIp}]. (S77719) ${msInternal(c)}`, 'MAIL FROM'),
    },
    ...NETWORK_DEFERRALS,
  ],
  bounces: [
    {
      dsn: '5.5.0',
      weight: 10,
      text: (c) => said(c, `550 5.5.0 Requested action not taken: mailbox unavailable (S2017062302). ${msInternal(c)}`, 'RCPT TO'),
    },
    {
      dsn: '5.7.1',
      weight: 3,
      text: (c) =>
        said(
          c,
          `550 5.7.1 Unfortunately, messages from [${c.sourceIp}] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors. ${msInternal(c)}`,
          'MAIL FROM',
        ),
    },
  ],
};

const microsoft365: Provider = {
  ...microsoftConsumer,
  name: 'microsoft365',
  domains: [
    ['contoso.com', 14],
    ['fabrikam.com', 12],
    ['northwindtraders.com', 10],
    ['woodgrovebank.com', 9],
    ['litwareinc.com', 8],
    ['proseware.com', 8],
    ['tailspintoys.com', 7],
    ['wideworldimporters.com', 8],
  ],
  mx: (d) => [`${d.replace(/\./g, '-')}.mail.protection.outlook.com`],
  mxAddresses: 8,
  deferFactor: 0.8,
  bounces: [
    {
      dsn: '5.4.1',
      weight: 8,
      text: (c) =>
        said(c, `550 5.4.1 Recipient address rejected: Access denied. [${c.rng.pick(['AS(201806281)', 'AS(201806271)'])}] ${msInternal(c)}`, 'RCPT TO'),
    },
    {
      dsn: '5.1.10',
      weight: 4,
      text: (c) =>
        said(
          c,
          `550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient ${c.rcpt} not found by SMTP address lookup ${msInternal(c)}`,
          'RCPT TO',
        ),
    },
  ],
};

const yahoo: Provider = {
  name: 'yahoo',
  domains: [
    ['yahoo.com', 80],
    ['ymail.com', 3],
    ['rocketmail.com', 2],
    ['aol.com', 30],
  ],
  mx: (d) =>
    d === 'aol.com'
      ? ['mx-aol.mail.gm0.yahoodns.net']
      : ['mta5.am0.yahoodns.net', 'mta6.am0.yahoodns.net', 'mta7.am0.yahoodns.net'],
  ipv4: ['67.195.0.0/16', '98.136.0.0/14', '74.6.0.0/16'],
  mxAddresses: 9,
  connect: 0.35,
  transfer: 0.6,
  ok: () => '250 ok dirdel',
  deferFactor: 2,
  burstDeferFactor: 4,
  deferrals: [
    {
      dsn: '4.7.0',
      weight: 8,
      text: (c) =>
        said(
          c,
          `421 4.7.0 [TSS04] Messages from ${c.sourceIp} temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes`,
          'MAIL FROM',
        ),
    },
    {
      dsn: '4.7.0',
      weight: 2,
      text: (c) =>
        said(c, `421 4.7.0 [TSS09] All messages from ${c.sourceIp} will be permanently deferred; Retrying will NOT succeed. See https://postmaster.yahooinc.com/error-codes`, 'MAIL FROM'),
    },
    ...NETWORK_DEFERRALS,
  ],
  bounces: [
    {
      dsn: '5.0.0',
      weight: 8,
      atData: true,
      text: (c) =>
        said(
          c,
          `554 delivery error: dd Sorry your message to ${c.rcpt} cannot be delivered. This mailbox is disabled (554.30). - mta${c.rng.int(9000) + 1000}.mail.${c.rng.pick(['bf1', 'gq1', 'ir2', 'ne1'])}.yahoo.com`,
          'end of DATA',
        ),
    },
    {
      dsn: '5.0.0',
      weight: 5,
      atData: true,
      text: (c) =>
        said(
          c,
          `554 delivery error: dd Sorry your message to ${c.rcpt} cannot be delivered. This account has been disabled or discontinued [#102]. - mta${c.rng.int(9000) + 1000}.mail.${c.rng.pick(['bf1', 'gq1', 'ir2', 'ne1'])}.yahoo.com`,
          'end of DATA',
        ),
    },
  ],
};

const apple: Provider = {
  name: 'apple',
  domains: [
    ['icloud.com', 50],
    ['me.com', 10],
    ['mac.com', 5],
  ],
  mx: () => ['mx01.mail.icloud.com', 'mx02.mail.icloud.com'],
  ipv4: ['17.57.0.0/16', '17.42.0.0/16', '17.56.0.0/16'],
  mxAddresses: 6,
  connect: 0.25,
  transfer: 0.35,
  ok: (c) => `250 2.0.0 Ok: queued as ${c.rng.hex(8).toLowerCase()}-${c.rng.hex(4).toLowerCase()}-${c.rng.hex(4).toLowerCase()}`,
  deferFactor: 1,
  burstDeferFactor: 2,
  deferrals: [
    {
      dsn: '4.7.1',
      weight: 4,
      text: (c) =>
        said(c, `421 4.7.1 Service unavailable, Client host [${c.sourceIp}] temporarily blocked due to high volume. See https://support.apple.com/en-us/HT204137`, 'MAIL FROM'),
    },
    ...NETWORK_DEFERRALS,
  ],
  bounces: [
    {
      dsn: '5.1.1',
      weight: 10,
      text: (c) => said(c, `550 5.1.1 <${c.rcpt}>: user does not exist`, 'RCPT TO'),
    },
    {
      dsn: '5.7.1',
      weight: 2,
      atData: true,
      text: (c) =>
        said(c, `554 5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137`, 'end of DATA'),
    },
  ],
};

/** Postfix-run mailbox services: they all answer like Postfix does. */
function postfixLike(
  name: string,
  domains: ReadonlyArray<readonly [string, number]>,
  mx: (d: string) => string[],
  ipv4: readonly string[],
  mxAddresses: number,
): Provider {
  return {
    name,
    domains,
    mx,
    ipv4,
    mxAddresses,
    connect: 0.3,
    transfer: 0.4,
    ok: (c) => `250 2.0.0 Ok: queued as ${c.rng.hex(11)}`,
    deferFactor: 1,
    burstDeferFactor: 1.3,
    deferrals: [
      {
        dsn: '4.2.0',
        weight: 4,
        text: (c) =>
          said(c, `450 4.2.0 <${c.rcpt}>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/${c.domain}.html`, 'RCPT TO'),
      },
      {
        dsn: '4.3.0',
        weight: 1,
        text: (c) => said(c, `451 4.3.0 <${c.rcpt}>: Temporary lookup failure`, 'RCPT TO'),
      },
      { ...NETWORK_DEFERRALS[0]!, weight: 3, sticky: true },
      ...NETWORK_DEFERRALS.slice(1),
    ],
    bounces: [
      {
        dsn: '5.1.1',
        weight: 10,
        text: (c) => said(c, `550 5.1.1 <${c.rcpt}>: Recipient address rejected: User unknown in virtual mailbox table`, 'RCPT TO'),
      },
      {
        dsn: '5.2.2',
        weight: 2,
        text: (c) => said(c, `552 5.2.2 <${c.rcpt}>: Recipient address rejected: Mailbox is full`, 'RCPT TO'),
      },
      {
        dsn: '5.7.1',
        weight: 2,
        text: (c) =>
          said(c, `554 5.7.1 Service unavailable; Client host [${c.sourceIp}] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/${c.sourceIp}`, 'RCPT TO'),
      },
    ],
  };
}

const comcast = postfixLike('comcast', [['comcast.net', 15]], () => ['mx1.comcast.net', 'mx2.comcast.net'], ['96.64.0.0/11'], 4);
const unitedInternet = postfixLike(
  'united-internet',
  [
    ['gmx.de', 10],
    ['web.de', 10],
    ['gmx.net', 5],
  ],
  (d) => (d === 'web.de' ? ['mx-ha03.web.de', 'mx-ha02.web.de'] : ['mx00.gmx.net', 'mx01.gmx.net']),
  ['212.227.0.0/16'],
  4,
);
const orange = postfixLike(
  'orange',
  [
    ['orange.fr', 8],
    ['wanadoo.fr', 3],
  ],
  () => ['smtp-in.orange.fr'],
  ['193.252.0.0/16'],
  3,
);
const mailru = postfixLike('mailru', [['mail.ru', 7]], () => ['mxs.mail.ru'], ['94.100.176.0/20'], 3);
const yandex = postfixLike('yandex', [['yandex.ru', 5]], () => ['mx.yandex.ru'], ['77.88.0.0/18'], 3);

// Long tail: small companies and ISPs on rented servers. Names are made up.
const SYLLABLES = ['brook', 'stone', 'ash', 'ridge', 'vale', 'mere', 'fern', 'holt', 'wick', 'lark', 'moor', 'glen', 'oak', 'bay', 'firth', 'cliff'];
const SUFFIXES = ['tech', 'works', 'media', 'labs', 'group', 'mail', 'net', 'co', 'shop', 'law', 'dental', 'design'];
const TLDS = ['com', 'net', 'org', 'de', 'co.uk', 'nl', 'fr', 'it', 'com.au', 'ca', 'se', 'io'];

function tailDomains(count: number): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (let i = 0; i < count; i++) {
    const a = SYLLABLES[(i * 7) % SYLLABLES.length]!;
    const b = SUFFIXES[(i * 5 + Math.floor(i / SYLLABLES.length)) % SUFFIXES.length]!;
    const tld = TLDS[(i * 3) % TLDS.length]!;
    // Zipf-like: a few tail domains get real volume, most get a trickle.
    out.push([`${a}${b}.${tld}`, 60 / (i + 3)]);
  }
  return out;
}

const hosting = postfixLike(
  'hosting',
  tailDomains(40),
  (d) => [`mx.${d}`, `mail.${d}`],
  ['51.68.0.0/16', '51.75.0.0/16', '88.198.0.0/16', '78.46.0.0/15', '136.243.0.0/16', '159.89.0.0/16', '167.99.0.0/16', '138.68.0.0/16', '45.33.0.0/17', '172.104.0.0/15'],
  0,
);

export const PROVIDERS: readonly Provider[] = [
  google,
  microsoftConsumer,
  microsoft365,
  yahoo,
  apple,
  comcast,
  unitedInternet,
  orange,
  mailru,
  yandex,
  hosting,
];

/** Misspelt provider domains: they do not resolve, so they bounce with 5.4.4 and relay=none. */
export const TYPO_DOMAINS = ['gmial.com', 'gmai.com', 'hotmial.com', 'yaho.com', 'outlok.com', 'icloud.co', 'gnail.com'];

export const NO_SUCH_DOMAIN: Failure = {
  dsn: '5.4.4',
  weight: 1,
  relayNone: true,
  text: (c) => `Host or domain name not found. Name service error for name=${c.domain} type=MX: Host not found`,
};
