import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { Kind } from 'graphql';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EventStore, Position } from '../../core/eventStore/eventStore.js';
import type { Logger } from '../../core/logger.js';

/** A subscriber whose progress is a stored checkpoint: the projections, the email reactor. */
export interface LagSource {
  name: string;
  checkpoint(): Promise<Position | undefined>;
}

export interface Metrics {
  registry: Registry;
  /** GraphQL request durations by operation name */
  graphqlPlugin: ApolloServerPlugin<BaseContext>;
  /** the email reactor recorded these outcomes */
  emailOutcomes(counts: { delivered: number; failed: number }): void;
  /** a provider webhook report and what became of it */
  providerReport(recordType: string, outcome: string): void;
  /** lag gauges for these subscribers, measured against the event store at each scrape */
  watchLag(store: EventStore, sources: LagSource[], now?: () => Date): void;
}

/** Lag is counted by reading what is pending, so it is capped: this many means "at least this many". */
export const LAG_COUNT_CAP = 1000;
const MAX_OPERATION_NAMES = 200;
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/**
 * One registry per process (passed down, never global). Lag is measured from the stored checkpoints
 * rather than from a projector's memory, so an API instance reports the lag of a projector that runs
 * as its own process too, as long as they share the read store.
 */
export function createMetrics(options: { log: Logger; defaultMetrics?: boolean }): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'keyturn_' });
  const registers = [registry];

  const graphqlDuration = new Histogram({
    name: 'keyturn_graphql_request_duration_seconds',
    help: 'GraphQL requests by operation name and outcome',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const emails = new Counter({
    name: 'keyturn_emails_total',
    help: 'Emails the reactor handed to the provider, by outcome (delivered = accepted, failed = refused)',
    labelNames: ['outcome'] as const,
    registers,
  });
  const reports = new Counter({
    name: 'keyturn_email_provider_reports_total',
    help: 'Provider webhook reports (Delivery, Bounce, SpamComplaint…) by record type and outcome',
    labelNames: ['record_type', 'outcome'] as const,
    registers,
  });

  // Operation names come from clients: a bounded set keeps the series count bounded.
  const seenOperations = new Set<string>();
  const operationLabel = (name: string | null | undefined) => {
    if (!name) return 'anonymous';
    if (!OPERATION_NAME.test(name)) return 'other';
    if (!seenOperations.has(name) && seenOperations.size >= MAX_OPERATION_NAMES) return 'other';
    seenOperations.add(name);
    return name;
  };

  const graphqlPlugin: ApolloServerPlugin<BaseContext> = {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ operation, operationName, request, document, errors, response }) {
          const failed =
            (errors?.length ?? 0) > 0 ||
            (response.body.kind === 'single' && (response.body.singleResult.errors?.length ?? 0) > 0);
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          // A document that failed validation has no resolved operation; its written name still tells which one.
          const written = document?.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION)?.name?.value;
          const name = operation?.name?.value ?? operationName ?? request.operationName ?? written;
          graphqlDuration.observe({ operation: operationLabel(name), outcome: failed ? 'error' : 'ok' }, seconds);
        },
      };
    },
  };

  return {
    registry,
    graphqlPlugin,
    emailOutcomes({ delivered, failed }) {
      if (delivered > 0) emails.inc({ outcome: 'delivered' }, delivered);
      if (failed > 0) emails.inc({ outcome: 'failed' }, failed);
    },
    providerReport(recordType, outcome) {
      reports.inc({ record_type: recordType, outcome });
    },
    watchLag(store, sources, now = () => new Date()) {
      // Both gauges come from one read per subscriber; a scrape collects them together.
      let cached: { at: number; readings: Promise<{ name: string; events: number; seconds: number }[]> } | undefined;
      const measure = async () =>
        Promise.all(
          sources.map(async (source) => {
            const name = source.name;
            try {
              const pending = await store.readAll({ after: await source.checkpoint(), maxCount: LAG_COUNT_CAP });
              const oldest = pending[0] ? Date.parse(pending[0].metadata.occurredAt) : undefined;
              const seconds =
                oldest === undefined || Number.isNaN(oldest) ? 0 : Math.max(0, (now().getTime() - oldest) / 1000);
              return { name, events: pending.length, seconds };
            } catch (error) {
              options.log.warn(
                { projection: name, err: error instanceof Error ? error.message : String(error) },
                'could not measure projection lag',
              );
              return { name, events: Number.NaN, seconds: Number.NaN };
            }
          }),
        );
      const readings = () => {
        if (!cached || Date.now() - cached.at > 1000) cached = { at: Date.now(), readings: measure() };
        return cached.readings;
      };
      new Gauge({
        name: 'keyturn_projection_lag_events',
        help: `Events in the store after the subscriber's checkpoint (capped at ${LAG_COUNT_CAP})`,
        labelNames: ['projection'] as const,
        registers,
        async collect() {
          for (const r of await readings()) this.set({ projection: r.name }, r.events);
        },
      });
      new Gauge({
        name: 'keyturn_projection_lag_seconds',
        help: 'Age of the oldest event the subscriber has not applied yet (0 when caught up)',
        labelNames: ['projection'] as const,
        registers,
        async collect() {
          for (const r of await readings()) this.set({ projection: r.name }, r.seconds);
        },
      });
    },
  };
}
