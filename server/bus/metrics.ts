// /metrics for the federation stage, read from the bus's own counters at
// scrape time (nothing counted twice, nothing per event).

import { Counter, Gauge, type Registry } from 'prom-client';
import type { Bus } from './bus.js';

/** Registers the bus's collectors; `mtaviz_bus_publish_*` with --publish, `mtaviz_bus_*box*` with --subscribe. */
export function registerBusMetrics(registry: Registry, bus: Bus): void {
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[], rows: () => [Partial<Record<L, string>>, number][]) =>
    registry.registerMetric(
      new Counter({
        name,
        help,
        labelNames,
        collect() {
          this.reset();
          for (const [labels, value] of rows()) this.inc(labels, value);
        },
      }),
    );
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[], rows: () => [Partial<Record<L, string>>, number][]) =>
    registry.registerMetric(
      new Gauge({
        name,
        help,
        labelNames,
        collect() {
          this.reset();
          for (const [labels, value] of rows()) this.set(labels, value);
        },
      }),
    );

  if (bus.publisher) {
    const p = () => bus.status().publish!;
    gauge('mtaviz_bus_publish_connected', 'Whether the publisher is connected to NATS (1) or not (0)', [], () => [[{}, p().state === 'connected' ? 1 : 0]]);
    counter('mtaviz_bus_publish_batches_total', 'Event batches published', [], () => [[{}, p().batches]]);
    counter('mtaviz_bus_publish_events_total', 'Events published in batches', [], () => [[{}, p().events]]);
    counter('mtaviz_bus_publish_dropped_batches_total', 'Batches given up on: the bus buffer was full (NATS slow or gone) or the batch was over max_payload', [], () => [[{}, p().dropped.batches]]);
    counter('mtaviz_bus_publish_dropped_events_total', 'Events in the batches given up on', [], () => [[{}, p().dropped.events]]);
    counter('mtaviz_bus_publish_oversize_total', "Batches and reports larger than the server's max_payload", [], () => [[{}, p().oversize]]);
    counter('mtaviz_bus_publish_bytes_total', 'Bytes published (batches and reports)', [], () => [[{}, p().bytes]]);
    gauge('mtaviz_bus_publish_buffer_bytes', 'Encoded batches waiting to be published', [], () => [[{}, p().buffered]]);
    counter('mtaviz_bus_publish_reconnects_total', 'Reconnects to NATS', [], () => [[{}, p().reconnects]]);
  }
  if (bus.federation) {
    const s = () => bus.status();
    const boxes = () => Object.entries(s().boxes ?? {});
    gauge('mtaviz_bus_subscribe_connected', 'Whether the view is connected and subscribed (1) or not (0)', [], () => [[{}, s().subscribe?.state === 'connected' ? 1 : 0]]);
    counter('mtaviz_bus_subscribe_reconnects_total', 'Reconnects to NATS', [], () => [[{}, s().subscribe?.reconnects ?? 0]]);
    counter('mtaviz_bus_bad_messages_total', 'Bus messages that did not decode (skipped)', [], () => [[{}, s().subscribe?.badMessages ?? 0]]);
    counter('mtaviz_bus_ignored_messages_total', 'Messages from boxes beyond --max-boxes (skipped)', [], () => [[{}, s().subscribe?.ignored ?? 0]]);
    counter('mtaviz_bus_boxes_removed_total', 'Boxes removed after --box-expire of silence', [], () => [[{}, s().subscribe?.removed ?? 0]]);
    gauge('mtaviz_bus_boxes', 'Boxes in the view, by state', ['state'] as const, () =>
      (['live', 'stale'] as const).map((state) => [{ state }, boxes().filter(([, b]) => b.state === state).length]),
    );
    gauge('mtaviz_bus_box_silent_seconds', 'Time since anything was heard from a box', ['box'] as const, () => boxes().map(([box, b]) => [{ box }, b.silentMs / 1000]));
    counter('mtaviz_bus_box_events_total', "A box's exact events (its reports), all its runs", ['box'] as const, () => boxes().map(([box, b]) => [{ box }, b.events]));
    counter('mtaviz_bus_box_received_events_total', 'Events received in batches from a box (animated)', ['box'] as const, () => boxes().map(([box, b]) => [{ box }, b.received.events]));
    counter('mtaviz_bus_box_lost_batches_total', "Batches missing from a box's numbering (lost on the way or dropped by the box)", ['box'] as const, () =>
      boxes().map(([box, b]) => [{ box }, b.lost.batches]),
    );
    counter('mtaviz_bus_box_lost_events_total', 'Events in those batches', ['box'] as const, () => boxes().map(([box, b]) => [{ box }, b.lost.events]));
    counter('mtaviz_bus_box_dropped_events_total', 'Events a box dropped itself (its bus buffer was full)', ['box'] as const, () => boxes().map(([box, b]) => [{ box }, b.dropped.events]));
    counter('mtaviz_bus_box_duplicates_total', 'Batches from a box received twice or late (skipped)', ['box'] as const, () => boxes().map(([box, b]) => [{ box }, b.duplicates]));
    counter('mtaviz_bus_box_restarts_total', "Restarts of a box's daemon seen by the view", ['box'] as const, () => boxes().map(([box, b]) => [{ box }, b.restarts]));
  }
}
