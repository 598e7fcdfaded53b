/**
 * Protocol constants, named as in the spec. Each points to the section of
 * `protocol-spec/` that defines it; the spec's constants tables (§6.7, §7) are
 * generated from the exports below and their doc comments, so the two cannot
 * drift. Every export needs a doc comment that starts with its section.
 */

/** §2.1 The protocol version carried in every datagram. */
export const PROTOCOL_VERSION = 1;
/** §2.1 Versions this implementation accepts. */
export const SUPPORTED_VERSIONS: readonly number[] = [PROTOCOL_VERSION];
/** §2.1 A role answers `unknown-version` to one address at most once per this interval, ms. */
export const VERSION_ERROR_INTERVAL = 1_000;
/** §2.1 Addresses a role remembers answering `unknown-version` to (least recently answered forgotten first). */
export const VERSION_ERROR_TABLE_SIZE = 4_096;
/** §2.2 No datagram may be larger than this, in bytes (fits any path MTU ≥ 1280 with IPv6 + UDP headers). */
export const MAX_DATAGRAM = 1200;
/** §2.2 Greatest nesting of arrays and maps in a datagram. */
export const MAX_NESTING = 6;
/** §2.4 Length of the message authentication code, in bytes (HMAC-SHA-256 truncated). */
export const MAC_LENGTH = 16;
/** §9.2 Largest difference between an authenticated message's `at` and the receiver's clock, ms. */
export const AUTH_MAX_SKEW = 30_000;
/** §9.3 Lifetime of a stream token issued by a master, and of a handoff token (§10.5), ms. */
export const TOKEN_TTL = 30_000;
/** §9.3 Length of a stream token and of a handoff token (§10.5), in bytes. */
export const TOKEN_LENGTH = 16;
/** §9.4 Bytes a role may send to an unvalidated address per byte received from it. */
export const AMPLIFICATION_RATIO = 1;
/** §9.4 Address-validation state kept per role (least recently used entries are forgotten first). */
export const AMPLIFICATION_TABLE_SIZE = 65_536;
/** §9.4 Length of an address-validation cookie, in bytes. */
export const COOKIE_LENGTH = 8;
/** §4.1 A client pads every `request`, and an operator every `status-request`, `control` and `subscribe` (§11.1), to this many bytes. */
export const REQUEST_PAD_TO = MAX_DATAGRAM;

/** §10.5 Length of a stream key (the key a client checks handoff tokens with), in bytes. */
export const STREAM_KEY_LENGTH = 16;
/** §10.2 Flows one media item may have (the most items of `flows` and `offs`). */
export const MAX_FLOWS = 4;
/** §9.1 The shortest cluster key the roles and commands take, in bytes of UTF-8: an empty key is never "no key". */
export const MIN_KEY_LENGTH = 16;
/** §10.3 Largest rate scale, in thousandths of the media rate (16 times). */
export const MAX_SCALE = 16_000;
/** §10.3 Smallest rate scale, in thousandths of the media rate: a scale of 0 would be no pace at all. */
export const MIN_SCALE = 1;
/** §10.4 A server sends unacknowledged `track` events again after this long, ms. */
export const TRACK_RETRY = 300;
/** §10.4 Times a server sends a stream's unacknowledged `track` events again (TRACK_RETRY apart, counted afresh whenever an ack retires one) before it gives them up. */
export const TRACK_ATTEMPTS = 10;
/** §10.4 Events a server keeps per stream, its last `play` and those since, to tell a new master (a stream with more is not told again). */
export const MAX_TRACK_HISTORY = 32;
/** §10.4 Streams whose `track` events a server keeps (until the stream has ended and every event is acknowledged; the oldest stream is forgotten first). */
export const MAX_TRACKED_STREAMS = 65_536;
/** §6.2 Streams a client remembers having torn down, to say `teardown` again to a server that keeps sending (the oldest is forgotten first). */
export const TEARDOWNS_KEPT = 4;
/** §10.7 A draining server stops, its streams handed off or not, this long after it began draining, ms. */
export const DRAIN_TIMEOUT = 15_000;
/** §10.7 A client that sees the change indicator and gets no `switch` for this long asks a master itself, ms. */
export const CHANGE_GRACE = 1_000;
/** §10.6 A master waits this long, from the new server's `setup` (or from sending a client there itself), for the stream to play at the new server before it gives the handoff up, ms. */
export const HANDOFF_TIMEOUT = 3_000;
/** §10.6 Servers a master tries when it establishes one stream elsewhere. */
export const HANDOFF_ATTEMPTS = 3;
/** §10.6 Streams whose last failed handoff a master remembers, to try the next one only HANDOFF_TIMEOUT later (the oldest is forgotten first). */
export const MAX_FAILED_HANDOFFS = 4_096;
/** §5.1 Payload bytes per `data` packet (the last packet of a file may be shorter). */
export const DATA_CHUNK = 1100;
/** §5.2 A client sends an `ack` this often while a stream plays, ms. */
export const ACK_INTERVAL = 100;
/** §5.2 Greatest number of missing ranges one `ack` reports. */
export const MAX_MISSING_RANGES = 16;
/** §5.2 A server resends a range at most once per this interval, ms. */
export const RESEND_HOLDOFF = 150;
/**
 * §5.2 Bytes a server may send beyond the client's contiguous position (the receive window): at
 * MAX_STREAM_RATE, 335 ms of the stream, more than a loss takes to be reported, resent and acknowledged (2 × ACK_INTERVAL).
 */
export const RECEIVE_WINDOW = 4 * 1024 * 1024;
/** §5.1 Smallest size of a pacer's bucket, in bytes: the bucket of a slow flow (below PACING_BURST × 8000 / PACING_DEPTH bit/s). */
export const PACING_BURST = 8 * DATA_CHUNK;
/** §5.1 How often a server with playing streams wakes to pace them, ms. */
export const PACING_TICK = 4;
/**
 * §5.1 A pacer's bucket holds this long of its flow's pace, ms (and at least PACING_BURST bytes):
 * a wake-up up to this late is caught up in full, and no burst is longer.
 */
export const PACING_DEPTH = 20;
/**
 * §5.1 How far behind its schedule a flow may fall and still catch up, ms of its pace: the credit of a
 * wake-up later than PACING_DEPTH is kept up to this much, and sent PACING_DEPTH of it per wake-up.
 */
export const PACING_CATCHUP = 500;
/**
 * §5.1 Greatest pace of one stream, bits per second: its flows' rates times its scale. A request or an
 * `adjust` that would pace a stream faster is refused with `no-capacity` (§10.3); a server does not offer
 * an item whose media rate alone is faster.
 */
export const MAX_STREAM_RATE = 100_000_000;

/** §6.1 A client waits this long for an answer before it sends a request again, ms. */
export const REQUEST_TIMEOUT = 1_000;
/** §6.1 Attempts a client makes at one master or one server before it moves on (S4.5). */
export const ATTEMPTS_PER_PEER = 2;
/**
 * §6.1 Times a client gives up on a server that never sent it anything before it stops going back
 * to it: sent there once more, it fails with `server-unreachable`. A closed port counts this many at once.
 */
export const SILENT_SERVER_TRIES = 2;
/** §6.1 Rounds over the list of masters before a client gives up. */
export const MASTER_ROUNDS = 3;
/** §6.2 A client that receives no `data` from its server for this long (or for eight packet intervals, when the stream is slower) treats it as failed; it sends `play` once more at half that, ms. The ceiling of the silence timeout: a stream's own timing brings it lower (SILENCE_FLOOR). */
export const SERVER_SILENCE_TIMEOUT = 500;
/**
 * §6.2 The least silence timeout a client learns from its stream, ms (above the pauses seen in the
 * streams of a live server: through the testbed's relay, a server receiving a distribution job had
 * its streams moved at 100 and 150 ms, and at 250 ms streams moved in the suite on a loaded machine;
 * for now the ceiling itself): once it has measured
 * SILENCE_SAMPLES inter-arrivals of the stream's data, its server has failed after the largest of
 * this, the mean inter-arrival plus SILENCE_DEV_MULT mean deviations, and SILENCE_PACKETS mean
 * inter-arrivals; never more than the ceiling (SERVER_SILENCE_TIMEOUT, or eight packet intervals).
 */
export const SILENCE_FLOOR = 500;
/** §6.2 k of the learnt silence timeout: mean inter-arrival + k × its mean deviation (TCP's RTO is SRTT + 4 × RTTVAR, RFC 6298). */
export const SILENCE_DEV_MULT = 8;
/** §6.2 The learnt silence timeout is at least this many mean inter-arrivals: that many packets lost in a row are not a failure. */
export const SILENCE_PACKETS = 16;
/** §6.2 Inter-arrivals of a stream's data a client measures before it trusts what it learnt of them. */
export const SILENCE_SAMPLES = 16;
/** §6.3 A server ends a stream whose client has been silent this long, ms. */
export const CLIENT_SILENCE_TIMEOUT = 5_000;
/** §6.3 A server forgets a set-up stream that was never played after this long, ms. */
export const SETUP_TIMEOUT = 5_000;
/** §6.4 Default interval between two load polls of one server, ms. */
export const POLL_INTERVAL = 1_000;
/** §6.4 The shortest poll interval a master accepts, ms: below it, polls would be a flood of their own. */
export const MIN_POLL_INTERVAL = 10;
/**
 * §4.2 For this many poll intervals after it starts, a master that no server has registered with yet
 * answers a request with `unavailable` (try again) rather than `not-found`: the servers of a restarted
 * master find it and register again within this time (their heartbeats come within 1.5 poll intervals, §6.5).
 */
export const LEARNING_POLLS = 3;
/** §6.4 Consecutive unanswered polls after which a master marks a server down. */
export const MISSED_POLLS_DOWN = 3;
/** §6.4 A master forgets a server that has been down this many poll intervals. */
export const DOWN_FORGET_POLLS = 60;
/** §6.4 Number of load samples a master keeps per server. */
export const LOAD_HISTORY = 60;
/** §6.4 Weight of the newest sample in the moving average of bandwidth. */
export const LOAD_EWMA_WEIGHT = 0.25;
/** §9.4 A server pads `register` to this many bytes, so the master's `register-ack` fits within it. */
export const REGISTER_PAD_TO = 256;
/** §6.3 A server with streams but nothing to pace wakes this often to check their timers, ms. */
export const SERVER_HOUSEKEEPING = 250;
/** §6.5 A server resends an unacknowledged `register` or `content` after this long, ms (doubling, capped). */
export const REGISTER_RETRY = 500;
/** §6.5 Cap of the registration retry back-off, ms. */
export const REGISTER_RETRY_MAX = 5_000;
/** §6.5 A registered server that hears nothing from its master for this many poll intervals registers again. */
export const MASTER_SILENCE_POLLS = 4;
/** §6.5 A server pushes a `load` report at most this often when its load changes, ms. */
export const LOAD_PUSH_MIN_INTERVAL = 250;
/** §6.6 A master waits this long for a server's `setup` to a `forward` (or to an `establish`, §10.6) before it tries another server, ms. */
export const FORWARD_TIMEOUT = 400;
/** §6.6 Servers a master tries for one relayed request. */
export const FORWARD_ATTEMPTS = 2;
/** §6.6 A master answers a repeated request (same client, same `rid`) from its cache for this long, ms. */
export const ANSWER_CACHE_TTL = 5_000;
/** §6.6 Entries in a master's answer cache. */
export const ANSWER_CACHE_SIZE = 8_192;
/** §6.6 Relayed requests a master keeps in flight at once. */
export const MAX_FORWARDS_IN_FLIGHT = 8_192;
/** §6.4 Registrations a master keeps while they have not yet echoed their cookie (§9.4). */
export const MAX_CANDIDATES = 4_096;
/** §4.6 The most `content` parts a `register` may announce: a longer content list is refused (`over-limit`). */
export const MAX_CONTENT_PARTS = 8_192;
/** §4.6 The most files one server's content list may hold at a master: a longer one is refused (`over-limit`). */
export const MAX_NAMES_PER_SERVER = 65_536;
/** §4.6 The most bytes of file names (UTF-8) one server's content list may hold at a master: more is refused (`over-limit`). */
export const MAX_CATALOG_BYTES_PER_SERVER = 4 * 1024 * 1024;
/**
 * §4.6 The most servers a master keeps registered from one source host (the IP address, any port): a
 * registration beyond it is refused (`over-limit`), unless it replaces a server of that name or address.
 */
export const MAX_SERVERS_PER_SOURCE = 16;
/** §4.6 A master reports the registrations it refused from one source host at most once per this interval, ms (the others are counted in the next report). */
export const REFUSAL_REPORT_INTERVAL = 10_000;
/** §4.6 Sources a master reports refused registrations of per REFUSAL_REPORT_INTERVAL at most (the others are only counted). */
export const REFUSAL_REPORTS = 16;
/** §6.6 Assignments a master keeps (the oldest is forgotten first). */
export const MAX_ASSIGNMENTS = 65_536;
/** §6.6 A master forgets an assignment its server has not listed in a load report for this long (or never did), ms. */
export const ASSIGNMENT_TTL = 10_000;
/**
 * §4.4 Reservations (assignments its server has not confirmed) one client address and port may hold:
 * one for the stream it asks for, one for a handoff. A further one ends its oldest.
 */
export const MAX_RESERVED_PER_CLIENT = 2;
/**
 * §4.4 The share of the up servers' capacity that the reservations of one source (an IPv4 /24 or an
 * IPv6 /64) may hold; the rest is kept for other sources. A request beyond it ends that source's oldest.
 */
export const RESERVE_SOURCE_SHARE = 0.5;
/**
 * §4.4 A reservation that a complete load report of its server does not list, this long or more
 * after the client was sent there, has not been taken up: it ends then, not at ASSIGNMENT_TTL, ms.
 */
export const RESERVE_GRACE = 1_000;
/** §4.5 Servers one `server-list` page lists at most (fewer when no more fit in the request's size). */
export const MAX_LIST_SERVERS = 64;
/** §4.5 Pages of a server list a client reads at most; it then chooses among the servers listed so far. */
export const MAX_LIST_PAGES = 16;
/** §4.6 Files one `content` part holds at most (fewer when no more fit in one datagram). */
export const MAX_CONTENT_FILES = 256;

/** §7 Largest file name, in UTF-8 bytes. */
export const MAX_FILE_NAME = 255;
/** §7 Largest server name or group, in UTF-8 bytes. */
export const MAX_NAME = 64;
/** §7 Largest free-text error message, in UTF-8 bytes. */
export const MAX_ERROR_TEXT = 200;
/** §7 Server names a client may ask the master to avoid. */
export const MAX_AVOID = 8;
/** §7 Stream ids listed in one `load` report. */
export const MAX_LOAD_SIDS = 96;

/** §11.2 A status page that does not start at row 0 comes from the table as it stood at the operator's page 0, if that was this recent, ms. */
export const STATUS_SNAPSHOT_TTL = 2_000;
/** §11.2 Status snapshots a master keeps, one per operator address and table (the oldest is forgotten first). */
export const MAX_STATUS_SNAPSHOTS = 16;
/** §11.2 Rows one `status` page holds at most (fewer when no more fit in MAX_DATAGRAM). */
export const MAX_STATUS_ROWS = 32;
/** §11.2 Servers a row of the `files` table names at most: the first in name order. */
export const MAX_FILE_ROW_SERVERS = 16;
/** §11.3 A subscription lasts this long after the `subscribe` that last renewed it, ms. */
export const SUBSCRIBE_LEASE = 10_000;
/** §11.3 A subscriber renews its subscription this often, ms. */
export const SUBSCRIBE_RENEW = 3_000;
/** §11.3 Subscriptions a master keeps at once. */
export const MAX_SUBSCRIBERS = 8;
/** §11.4 Events a master keeps for its subscribers (the oldest is forgotten first). */
export const NOTICE_RING = 1_024;
/** §11.4 A master sends each subscriber notices at most once per this interval, ms. */
export const NOTICE_INTERVAL = 100;
/** §11.4 Notices a master sends one subscriber at most per NOTICE_INTERVAL. */
export const NOTICE_BURST = 8;
/** §11.4 Events one `notice` carries at most. */
export const NOTICE_EVENTS = 3;
/** §11.4 A master sums up the requests it answered, and the errors it answered them with, over windows of this length, ms. */
export const NOTICE_COUNT_INTERVAL = 1_000;

/** §9.5 Datagrams per second a role takes from one source address (`host:port`) when its per-source limit is on (`--rate-limit on`). */
export const RATE_LIMIT = 1_000;
/** §9.5 Datagrams one source may send in a burst above RATE_LIMIT (the token bucket's size). */
export const RATE_LIMIT_BURST = 2_000;
/** §9.5 Source addresses whose buckets a role keeps (the oldest is forgotten first; a forgotten source starts with a full bucket). */
export const RATE_LIMIT_TABLE_SIZE = 65_536;
/** §9.5 A role reports the datagrams it dropped from one source at most once per this interval, ms. */
export const RATE_LIMIT_REPORT_INTERVAL = 1_000;
/** §9.5 Sources a role reports rate-limited per RATE_LIMIT_REPORT_INTERVAL at most (the others are only counted). */
export const RATE_LIMIT_REPORTS = 16;

/** §12.1 One protocol period: each member probes one other member per period (SWIM §3.1). */
export const MEMBER_PROBE_INTERVAL = 200;
/** §12.1 How long a direct `ping` waits for its `ack` before the indirect probe (memberlist's ProbeTimeout). */
export const MEMBER_PROBE_TIMEOUT = 80;
/** §12.1 How many other members relay an indirect probe (`ping-req`): SWIM's k, memberlist's IndirectChecks. */
export const MEMBER_INDIRECT_PROBES = 3;
/** §12.1 The suspicion timeout, in protocol periods, scaled by max(1, log10 n) (memberlist's SuspicionMult, 4 there); Lifeguard waits for MULT − 2 confirmations. */
export const MEMBER_SUSPICION_MULT = 3;
/** §12.1 A suspicion nobody confirms lasts this many times the suspicion timeout (Lifeguard; memberlist's SuspicionMaxTimeoutMult). */
export const MEMBER_SUSPICION_MAX_MULT = 6;
/** §12.1 Each update is piggybacked this many times, scaled by ceil(log10(n + 1)) (memberlist's RetransmitMult, 4 there: it also gossips apart from probes). */
export const MEMBER_RETRANSMIT_MULT = 6;
/** §12.1 A `member` `ping` or `ping-req` is padded to this many bytes, so that the `ack` it draws, never larger, cannot amplify toward a forged source (§9.4). */
export const MEMBER_PAD_TO = MAX_DATAGRAM;
/** §12.1 Apart from probes, a member gossips what it has to tell this often (memberlist's GossipInterval). */
export const MEMBER_GOSSIP_INTERVAL = 200;
/** §12.1 How many members, at random, each round of gossip goes to (memberlist's GossipNodes, 3 there: its messages carry as many updates as fit, ours MEMBER_UPDATES_PER_MESSAGE). */
export const MEMBER_GOSSIP_NODES = 4;
/** §12.1 At most this many updates in one message: between masters, a `member` with every field at its widest, MAC included, fits in MAX_DATAGRAM; servers' entries (§13) may fill a datagram with fewer. */
export const MEMBER_UPDATES_PER_MESSAGE = 6;
/** §12.1 At most this many members known, this member not counted; dead and left ones are forgotten first. */
export const MAX_MEMBERS = 64;
/** §12.1 At most this many updates queued for piggybacking: one per member, and this member's own. */
export const MAX_MEMBER_UPDATES = MAX_MEMBERS + 1;
/** §12.1 At most this many indirect probes relayed at once for other members. */
export const MAX_MEMBER_RELAYS = MAX_MEMBERS;
/** §12.1 How long a dead or left member is remembered (so that stale `alive` updates about it lose) before it is forgotten. */
export const MEMBER_DEAD_RETAIN = 30_000;
/** §12.1 This often a member pings one member it holds dead (or a seed it has forgotten), so that two sides of a healed partition find each other again (Serf's reconnect), ms. */
export const MEMBER_RECONNECT_INTERVAL = 1_000;
/** §12.1 Lifeguard's local health: the most the probe timeouts are multiplied by, plus one, when this member misses acks. */
export const MEMBER_MAX_LOCAL_HEALTH = 8;

/** §12.2 A server takes a claim of its supervision from a master other than its supervisor only once the supervisor has been silent this many of its poll intervals. */
export const SUPERVISOR_SILENCE_POLLS = 1.5;
/** §12.2 While the supervision a master claims (or hands over) is not yet what the server reports, the master sends `supervise` again this often, ms. */
export const SUPERVISE_RETRY = 250;
/** §12.2 How many backups of a server (the live members after its supervisor in its rendezvous order) a master shows. */
export const SUPERVISION_BACKUPS = 1;
/** §12.2 A handover the server does not take is tried this many times, then not again until the members change. */
export const SUPERVISE_HANDOVER_TRIES = 3;
/** §12.2 The k-th live member in a server's order (k = 0 first) claims it once its supervisor has been gone k × this many SUPERVISE_RETRY rounds. */
export const SUPERVISE_BACKUP_ROUNDS = 4;

/** §12.3 A portal asks each master for its summary this often, ms: its liveness, round trip and load. */
export const PORTAL_POLL_INTERVAL = 250;
/** §12.3 A master that misses this many of a portal's polls in a row is down for the portal (it asks it no more until it answers). */
export const PORTAL_MISSED_POLLS = 3;
/** §12.3 Weight of a new round trip in a portal's moving average of a master's (an EWMA, as TCP's SRTT with 1/8 there). */
export const PORTAL_RTT_WEIGHT = 0.25;
/** §12.3 At most this many masters behind one portal. */
export const MAX_PORTAL_MASTERS = 64;

/** §12.4 Each master of a group sends its live members a digest of the assignments it made this often, ms (anti-entropy). */
export const ASSIGN_DIGEST_INTERVAL = 1_000;
/** §12.4 At most this many servers in one `digest` (the others in the next ones, in turn). */
export const MAX_DIGEST_ENTRIES = 5;
/** §12.4 At most this many assignment ids per server in a `digest`: the newest the origin still holds there. */
export const MAX_DIGEST_SIDS = 16;
/** §12.4 At most this many assignment ids in one `pull`. */
export const MAX_PULL_SIDS = 64;

/** §12.5 Weight of a new sample in a master's smoothed round trip to a server, from its polls (TCP's SRTT gain, RFC 6298). */
export const SERVER_RTT_WEIGHT = 0.125;
/** §12.5 The `nearest` policy counts servers whose round trips from the master fall in the same band of this many ms as equally near (then the most available bandwidth wins), so that jitter does not herd a burst onto one server. */
export const NEAREST_RTT_BAND = 5;
/** §12.5 A master's answer to a request that said `echo` waits this long for the client's `echo`; a later one is no sample, ms. */
export const ECHO_WAIT = 2_000;
/** §12.5 At most this many answers await their `echo` at once at a master; the oldest is forgotten first. */
export const MAX_ECHOES = 1_024;
/** §12.5 At most this many client sources (/24, /64) with a round trip at a master; the first measured is forgotten first. */
export const MAX_CLIENT_RTTS = 4_096;

/** §13.1 Servers' view: one protocol period, ms: each server probes one peer per period (memberlist's LAN ProbeInterval). */
export const VIEW_PROBE_INTERVAL = 1_000;
/** §13.1 Servers' view: how long a direct `ping` waits for its `ack` before the indirect probe, ms (memberlist's LAN ProbeTimeout, 500 there). */
export const VIEW_PROBE_TIMEOUT = 400;
/**
 * §13.1 Servers' view: how many other servers relay an indirect probe (SWIM's k; MEMBER_INDIRECT_PROBES
 * between masters). Each false suspicion costs a refutation that every server passes on: in a large
 * view under loss, two more relays cost less than the suspicions they spare.
 */
export const VIEW_INDIRECT_PROBES = 5;
/** §13.1 Servers' view: rounds of gossip of what must spread at once (liveness, a change of status), ms (Serf's GossipInterval). */
export const VIEW_GOSSIP_INTERVAL = 200;
/** §13.1 Servers' view: how many peers, at random, each round of gossip goes to (Serf's GossipNodes). */
export const VIEW_GOSSIP_NODES = 3;
/** §13.3 Servers' view: a digest of the view goes to one peer at random this often, ms; the peer answers with its entries where the views differ (anti-entropy). */
export const VIEW_SYNC_INTERVAL = 5_000;
/** §13.3 Servers' view: at most this many entries in a page (a `sync-ack`, the push that answers it, a joiner's table): as many as fit in MAX_DATAGRAM with the MAC, for servers' usual addresses and groups. */
export const VIEW_PAGE = 14;
/** §13.3 Servers' view: a `sync`'s digest has one bucket per this many entries of the sender's view, a power of two. */
export const VIEW_BUCKET_FILL = 8;
/** §13.3 Servers' view: at most this many buckets in a digest (4 bytes each). */
export const VIEW_MAX_BUCKETS = 128;
/** §13.3 Servers' view: a `sync-ack` that says `more` (the views are far apart) brings the next `sync` this many times sooner than VIEW_SYNC_INTERVAL. */
export const VIEW_SYNC_SOONER = 4;
/** §13.3 Servers' view: at most this many `gossip` messages push back what a `sync-ack` showed the peer lacks. */
export const VIEW_MAX_PUSH_PAGES = 2;
/** §13.2 Servers' view: how many times each server passes on a refresh of a peer's users and bandwidth (a change of status goes out as often as liveness). */
export const VIEW_DATA_RETRANSMITS = 3;
/** §13.2 Servers' view: a server refreshes its users and bandwidth at most this often, ms; in a larger view, at most every n ÷ VIEW_REFRESH_RATE s. */
export const VIEW_REFRESH = 2_000;
/** §13.2 Servers' view: refreshes per second over the whole view that the bandwidth budget allows (VIEW_REFRESH scales up past it). */
export const VIEW_REFRESH_RATE = 8;
/** §13.1 At most this many peers in a server's view, itself not counted; dead and left ones are forgotten first. */
export const MAX_VIEW = 4_096;
/** §13.1 A master names at most this many other servers to a server it registers (`content-ack` `peers`): its first peers. */
export const VIEW_SEEDS = 3;

/** §14.3 Jobs: bytes of content per `chunk` (the last chunk of the hash list, and of the content, may be shorter). */
export const JOB_CHUNK = 1_024;
/** §14.3 Jobs: chunks per block: each block of content has its SHA-256 in the object's hash list. */
export const JOB_BLOCK_CHUNKS = 64;
/** §14.3 Jobs: bytes of a block's hash in the hash list (SHA-256). */
export const JOB_HASH_LENGTH = 32;
/** §14.3 Jobs: the smallest pull window, in chunks: a receiver asks at most this many chunks ahead of the first it lacks, or more at a higher rate (JOB_WINDOW_TIME). */
export const JOB_MIN_WINDOW = 64;
/** §14.3 Jobs: the largest pull window, in chunks. */
export const JOB_MAX_WINDOW = 2_048;
/** §14.3 Jobs: a receiver's pull window holds this much of the transfer at the source's rate, ms. */
export const JOB_WINDOW_TIME = 400;
/** §14.3 Jobs: a receiver sends a `job-pull` this often while it lacks chunks, ms (and sooner, once a quarter of its window has arrived). */
export const JOB_PULL_INTERVAL = 50;
/** §14.3 Jobs: a source sends one chunk again at most once per this interval, ms: a pull that still lists a chunk in flight draws no copy. */
export const JOB_RESEND_HOLDOFF = 250;
/** §14.3 Jobs: at most this many ranges of chunks in one `job-pull`. */
export const JOB_MAX_RANGES = 16;
/** §14.3 Jobs: the rate of one transfer when neither the job nor the source sets one, bits per second. */
export const JOB_DEFAULT_RATE = 50_000_000;
/** §14.3 Jobs: a source's bucket of sending credit holds at most this much of its rate, ms (the largest burst). */
export const JOB_BURST = 20;
/** §14.2 Jobs: a source sends an unanswered `job-order` again after this long, ms. */
export const JOB_ORDER_RETRY = 500;
/** §14.2 Jobs: a source gives a target up after this many `job-order`s unanswered, and takes on its share of the plan (§14.2). */
export const JOB_ORDER_ATTEMPTS = 4;
/** §14.2 Jobs: a source forgets a target that has not pulled for this long, ms. */
export const JOB_TARGET_SILENCE = 5_000;
/** §14.2 Jobs: targets a source serves at once (its fanout): the first of its plan; the rest of the plan is shared among them. */
export const JOB_FANOUT = 4;
/** §14.2 Jobs: at most this many targets in one `job-order` or `job-submit` part. */
export const JOB_PLAN_PART = 32;
/** §14.2 Jobs: at most this many targets in one job. */
export const MAX_JOB_TARGETS = 4_096;
/** §14.4 Jobs: a receiver whose source sent nothing it asked for this long reports the stall to the base server, ms. */
export const JOB_STALL = 3_000;
/** §14.4 Jobs: a target that is receiving tells the base server its progress and the rate its source delivers this often, ms. */
export const JOB_PROGRESS_INTERVAL = 1_000;
/** §14.4 Jobs: a target switches to a faster source at most this many times; then it takes only the base server's offers (S5.4). */
export const JOB_MAX_SWITCHES = 3;
/** §14.5 Jobs: the base server offers a target a faster source when what its source delivers is below this share of the job's rate. */
export const JOB_SLOW_SHARE = 0.6;
/** §14.5 Jobs: the base server offers one target a faster source at most once per this interval, ms. */
export const JOB_HELP_INTERVAL = 3_000;
/** §14.5 Jobs: the base server queries a target that has not completed when it has heard nothing of it for this long, ms. */
export const JOB_QUERY_AFTER = 5_000;
/** §14.5 Jobs: queries unanswered, or answered `unknown`, before the base server repairs a target by serving it itself. */
export const JOB_QUERY_ATTEMPTS = 3;
/** §14.5 Jobs: times the base server repairs one target (serves it again from the start of what it lacks) before it reports the target failed. */
export const JOB_REPAIR_ATTEMPTS = 3;
/** §14.5 Jobs: a target the base server reports failed unreachable is tried again this long later, ms (JOB_RETRY_ROUNDS times at most): the expected delay of the failure report. */
export const JOB_RETRY_DELAY = 60_000;
/** §14.5 Jobs: rounds of repair the base server gives a failed target again, each JOB_RETRY_DELAY after it failed; past them, its failure is final (no `retry`). */
export const JOB_RETRY_ROUNDS = 3;
/** §14.1 Jobs: jobs a base server holds, finished ones forgotten first. */
export const MAX_JOBS = 256;
/** §14.6 Jobs: rows of targets in one `job-status` page. */
export const JOB_STATUS_ROWS = 24;
/** §14.8 Jobs: commands one job holds at most: its copy, and those a provider adds while it runs. */
export const MAX_JOB_COMMANDS = 64;
/** §14.10 Jobs: a base server writes the record of a job that changed at most this long after the change, ms (at once when a job is made, is added a command, holds its upload whole or ends). */
export const JOB_JOURNAL_INTERVAL = 1_000;
/** §14.6 Jobs: rows of jobs in one `job-list` page. */
export const JOB_LIST_ROWS = 16;
/** §14.8 Jobs: bytes of its copy a server hashes at most per wake-up of a `verify` (whole blocks: 16 of JOB_BLOCK_CHUNKS × JOB_CHUNK); it yields to its streams between steps. */
export const JOB_VERIFY_STEP = 1_048_576;
