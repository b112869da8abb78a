/**
 * The metrics of one server (one node), for `GET /metrics` in the Prometheus text format (prom-client).
 * Each server has a registry of its own, so that several servers in one process (the tests run three nodes in
 * one) never share a metric; every sample carries the node's cluster ID as the `node` label. The process
 * metrics (CPU, memory, event-loop delay, handles) are the process's, collected once per process and shown by
 * each of its servers under its own `node` label. Everything else is read at scrape time from counters the
 * server keeps anyway; only logins are counted as they happen, once per login.
 * docs/metrics.md lists every metric.
 */
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { CallbackStats } from '../callbacks/CallbackSender.js';
import type { SfuRouter } from '../sfu/index.js';
import { type SfuCollector as Collector, SfuCollector, type SfuField } from './sfuCollector.js';

/** What the metrics are read from. */
export interface MetricsSources {
  /** The node's ID in the cluster: the `node` label of every sample. */
  nodeID: string;
  sfu: SfuRouter;
  /** Sessions, rooms and streams of this node (RoomService.stats()). */
  rooms(): { sessions: number; rooms: number; streams: number };
  /** Open signaling sockets. */
  connections(): number;
  /** The callback deliveries of this node (CallbackSender.stats()). */
  callbacks(): CallbackStats;
}

/** The content type of the text format, for the response header. */
export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

const MISNAMED = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/**
 * How often the event-loop delay is sampled (prom-client's default is 10 ms). Each sample is a timer that wakes
 * the process. A server at rest, once scraped, woke (epoll) about 200 times a second at 10 ms and spent 4-6.5 ms
 * of CPU a second more than unscraped (2.4 wakeups a second); at 50 ms, 45 wakeups and 0-1.5 ms (two runs of
 * 20 s each way, 2026-12-07). A 15-s scrape interval still holds 300 samples, and a stall of 50 ms or more is
 * always seen.
 */
const EVENT_LOOP_SAMPLE_MS = 50;

/** The process metrics, registered once per process (each registration would add its own GC observer). */
let processRegistry: Registry | null = null;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
    // prom-client names three gauges `…_total`, which promtool rejects (the suffix is for counters); the same
    // counts stay in `nodejs_active_handles`, `nodejs_active_requests` and `nodejs_active_resources`, by type.
    for (const name of MISNAMED) processRegistry.removeSingleMetric(name);
  }
  return processRegistry;
}

/** A counter whose value is set at scrape time from a running total kept elsewhere. */
type Mirrored = { counter: Counter<string>; parts: [labels: Record<string, string>, field: SfuField][] };

export class ServerMetrics {
  private readonly own = new Registry();
  private readonly sfu: Collector;
  private readonly logins: Counter<'result' | 'code'>;
  private readonly mirrored: Mirrored[] = [];
  private readonly gauges: { gauge: Gauge<string>; read: () => [Record<string, string>, number][] }[] = [];
  private readonly callbackDeliveries: Counter<'result'>;
  private readonly mediaPortDatagrams: Counter<'result'>;

  constructor(private readonly sources: MetricsSources) {
    this.sfu = new SfuCollector(sources.sfu);
    this.logins = new Counter({
      name: 'parley_logins_total',
      help: 'Logins by outcome and Express code (0 for a success).',
      labelNames: ['result', 'code'],
      registers: [this.own],
    });
    const state = (): ReturnType<MetricsSources['rooms']> => sources.rooms();
    this.gauge('parley_connections', 'Open signaling WebSocket connections.', () => [
      [{}, sources.connections()],
    ]);
    this.gauge('parley_sessions', 'Sessions (logged-in users) on this node.', () => [[{}, state().sessions]]);
    this.gauge('parley_rooms', 'Rooms with a member on this node.', () => [[{}, state().rooms]]);
    this.gauge('parley_streams', 'Streams known in the rooms of this node.', () => [[{}, state().streams]]);
    // The callback sender keeps its counts anyway (for /healthz); they are copied here at scrape time, so the
    // callbacks module knows nothing of Prometheus.
    this.callbackDeliveries = new Counter({
      name: 'parley_callback_deliveries_total',
      help: 'Server callback events: delivered (2xx), attempts retried, events dropped.',
      labelNames: ['result'],
      registers: [this.own],
    });
    this.gauge(
      'parley_callbacks_pending',
      'Callback events queued, in flight or waiting for a retry.',
      () => [[{}, sources.callbacks().pending]],
    );
    this.gauge(
      'parley_media_transports',
      'Open media transports (publish, play) and media pipe ends (pipe_in, pipe_out).',
      () => {
        const c = this.sfu.children();
        return [
          [{ kind: 'publish' }, c.publish],
          [{ kind: 'play' }, c.play],
          [{ kind: 'pipe_in' }, c.pipeIn],
          [{ kind: 'pipe_out' }, c.pipeOut],
        ];
      },
      ['kind'],
    );
    // What the demultiplexer of the node's one media port (media.udpPort) counts anyway; all 0 with a port range.
    this.mediaPortDatagrams = new Counter({
      name: 'parley_media_port_datagrams_total',
      help: 'Datagrams on the media port that were not media: consent checks answered there, dropped, failed.',
      labelNames: ['result'],
      registers: [this.own],
    });
    this.gauge('parley_media_port_tuples', 'Client addresses (IP and port) routed on the media port.', () => [
      [{}, sources.sfu.udpMux?.stats().tuples ?? 0],
    ]);
    const client = { via: 'client' };
    const pipe = { via: 'pipe' };
    this.mirror(
      'parley_rtp_packets_in_total',
      'RTP packets received: from publishers (client), from other nodes (pipe).',
      [
        [client, 'packetsInClient'],
        [pipe, 'packetsInPipe'],
      ],
    );
    this.mirror('parley_rtp_bytes_in_total', 'RTP payload bytes received, as parley_rtp_packets_in_total.', [
      [client, 'bytesInClient'],
      [pipe, 'bytesInPipe'],
    ]);
    this.mirror(
      'parley_rtp_packets_out_total',
      'RTP packets forwarded, retransmissions excluded: to players (client), to other nodes (pipe).',
      [
        [client, 'packetsOutClient'],
        [pipe, 'packetsOutPipe'],
      ],
    );
    this.mirror(
      'parley_rtp_bytes_out_total',
      'Bytes forwarded: RTP payload bytes to players, datagram bytes to other nodes.',
      [
        [client, 'bytesOutClient'],
        [pipe, 'bytesOutPipe'],
      ],
    );
    this.mirror('parley_rtp_retransmitted_total', 'RTP packets sent again on a NACK.', [
      [client, 'retransmittedClient'],
      [pipe, 'retransmittedPipe'],
    ]);
    this.mirror('parley_rtp_nacks_received_total', 'NACK packets received from players and other nodes.', [
      [client, 'nacksReceivedClient'],
      [pipe, 'nacksReceivedPipe'],
    ]);
    this.mirror('parley_rtp_nacks_sent_total', 'NACK packets sent to publishers and origin nodes.', [
      [{}, 'nacksSent'],
    ]);
    this.mirror('parley_rtp_keyframe_requests_sent_total', 'PLIs sent to publishers and origin nodes.', [
      [{}, 'keyframeRequestsSent'],
    ]);
    this.mirror(
      'parley_rtp_keyframe_requests_received_total',
      'Keyframe requests (PLI, FIR) received from players and other nodes.',
      [
        [client, 'keyframeRequestsReceivedClient'],
        [pipe, 'keyframeRequestsReceivedPipe'],
      ],
    );
    this.mirror(
      'parley_rtp_packets_lost_total',
      'RTP packets lost: on the way in (sequence gaps), towards players (their receiver reports).',
      [
        [{ direction: 'in' }, 'packetsLostIn'],
        [{ direction: 'out' }, 'packetsLostOut'],
      ],
    );
  }

  /** Counts one login: `code` 0 for a success, else its Express error code (or `internal` for a fault). */
  login(code: number | 'internal'): void {
    this.logins.inc({ result: code === 0 ? 'success' : 'failure', code: String(code) });
  }

  /** The metrics in the Prometheus text format. */
  async text(): Promise<string> {
    const totals = await this.sfu.totals();
    // Set in one turn, after the only await, so a scrape shows the counters of one moment.
    for (const { gauge, read } of this.gauges) {
      gauge.reset();
      for (const [labels, value] of read()) gauge.set(labels, value);
    }
    for (const { counter, parts } of this.mirrored) {
      counter.reset();
      for (const [labels, field] of parts) counter.inc(labels, totals[field]);
    }
    const callbacks = this.sources.callbacks();
    this.callbackDeliveries.reset();
    for (const result of ['delivered', 'retried', 'dropped'] as const) {
      this.callbackDeliveries.inc({ result }, callbacks[result]);
    }
    const mux = this.sources.sfu.udpMux?.stats();
    this.mediaPortDatagrams.reset();
    for (const result of ['answered', 'dropped', 'failed'] as const) {
      this.mediaPortDatagrams.inc({ result }, mux?.[result] ?? 0);
    }
    const merged = Registry.merge([processMetrics(), this.own]);
    merged.setDefaultLabels({ node: this.sources.nodeID });
    return merged.metrics();
  }

  private gauge(
    name: string,
    help: string,
    read: () => [Record<string, string>, number][],
    labelNames: string[] = [],
  ): void {
    this.gauges.push({ gauge: new Gauge({ name, help, labelNames, registers: [this.own] }), read });
  }

  private mirror(name: string, help: string, parts: Mirrored['parts']): void {
    const labelNames = [...new Set(parts.flatMap(([labels]) => Object.keys(labels)))];
    this.mirrored.push({ counter: new Counter({ name, help, labelNames, registers: [this.own] }), parts });
  }
}
