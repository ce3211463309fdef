/** The broker's own metrics, added to the gateway's registry. */
import { Counter, Gauge, type Registry } from 'prom-client';

export interface MqttMetrics {
  /** Connections refused, by reason code. */
  readonly connectionsRefused: Counter<'reason'>;
  /** Connections accepted. */
  readonly connectionsAccepted: Counter;
  /** Devices connected now. */
  readonly clients: Gauge;
  /** Subscriptions refused (anything but the device's own downlink). */
  readonly subscriptionsRefused: Counter;
  /** Notices sent on downlinks, by code. */
  readonly noticesSent: Counter<'code'>;
  /** Connection refusals that could not be written to quarantine (too many at once): counted, not silent. */
  readonly refusalsNotRecorded: Counter;
  /** Connections closed for an MQTT packet far beyond the message limit (never buffered, so not quarantined). */
  readonly oversizePackets: Counter;
  /** Issue 7: connections closed on accept, before anything was read (label `reason`: `rate`, `connecting`). */
  readonly connectionsShed: Counter<'reason'>;
  /** Issue 7: device messages over the device's rate (label `action`: `delayed`, or `refused` and disconnected). */
  readonly deviceRateLimited: Counter<'action'>;
  /** Issue 7: clients disconnected because their socket took nothing for `--mqtt-drain-timeout`. */
  readonly slowClientsClosed: Counter;
  /** Issue 7: notices not sent because the device's connection was backed up (it reads nothing). */
  readonly noticesNotSent: Counter;
}

export function createMqttMetrics(registry: Registry): MqttMetrics {
  const get = <T>(name: string): T | undefined => registry.getSingleMetric(name) as T | undefined;
  const registers = [registry];
  return {
    connectionsRefused:
      get<Counter<'reason'>>('trialgate_mqtt_connections_refused_total') ??
      new Counter({ name: 'trialgate_mqtt_connections_refused_total', help: 'MQTT connections refused, by reason code', labelNames: ['reason'] as const, registers }),
    connectionsAccepted:
      get<Counter>('trialgate_mqtt_connections_accepted_total') ??
      new Counter({ name: 'trialgate_mqtt_connections_accepted_total', help: 'MQTT connections accepted', registers }),
    clients: get<Gauge>('trialgate_mqtt_clients') ?? new Gauge({ name: 'trialgate_mqtt_clients', help: 'Devices connected over MQTT', registers }),
    subscriptionsRefused:
      get<Counter>('trialgate_mqtt_subscriptions_refused_total') ??
      new Counter({ name: 'trialgate_mqtt_subscriptions_refused_total', help: 'MQTT subscriptions refused', registers }),
    noticesSent:
      get<Counter<'code'>>('trialgate_downlink_notices_total') ??
      new Counter({ name: 'trialgate_downlink_notices_total', help: 'Notices sent to devices on their downlink, by code', labelNames: ['code'] as const, registers }),
    refusalsNotRecorded:
      get<Counter>('trialgate_mqtt_refusals_not_recorded_total') ??
      new Counter({
        name: 'trialgate_mqtt_refusals_not_recorded_total',
        help: 'Connection refusals not written to quarantine because too many were being written at once',
        registers,
      }),
    oversizePackets:
      get<Counter>('trialgate_mqtt_oversize_packets_total') ??
      new Counter({
        name: 'trialgate_mqtt_oversize_packets_total',
        help: 'Connections closed for an MQTT packet far beyond the message size limit',
        registers,
      }),
    connectionsShed:
      get<Counter<'reason'>>('trialgate_mqtt_connections_shed_total') ??
      new Counter({
        name: 'trialgate_mqtt_connections_shed_total',
        help: 'MQTT connections closed on accept, before anything was read, by limit (rate: per-address rate; connecting: too many unauthenticated)',
        labelNames: ['reason'] as const,
        registers,
      }),
    deviceRateLimited:
      get<Counter<'action'>>('trialgate_device_rate_limited_total') ??
      new Counter({
        name: 'trialgate_device_rate_limited_total',
        help: 'Device messages over the per-device rate: delayed (acknowledged later), or refused unacknowledged and the connection closed',
        labelNames: ['action'] as const,
        registers,
      }),
    slowClientsClosed:
      get<Counter>('trialgate_mqtt_slow_clients_closed_total') ??
      new Counter({
        name: 'trialgate_mqtt_slow_clients_closed_total',
        help: 'MQTT clients disconnected because their socket took nothing the gateway wrote for the drain timeout',
        registers,
      }),
    noticesNotSent:
      get<Counter>('trialgate_downlink_notices_not_sent_total') ??
      new Counter({
        name: 'trialgate_downlink_notices_not_sent_total',
        help: 'Notices not sent because the device reads nothing of its connection (its buffer is full)',
        registers,
      }),
  };
}
