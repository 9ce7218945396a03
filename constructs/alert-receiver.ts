/**
 * Where Alertmanager sends the platform's alerts, per environment: nowhere (the default, named so that it shows in
 * Alertmanager's UI and in the stack's `alert_receiver` output), Slack, PagerDuty or a webhook. The URL or routing
 * key is never in the synthesized stack: it stays in a Kubernetes secret in the monitoring namespace that the
 * operator creates, which Alertmanager mounts (`alertmanagerSpec.secrets`, at /etc/alertmanager/secrets/<name>/)
 * and reads through the `*_file` settings (api_url_file, routing_key_file, url_file:
 * prometheus/alertmanager@v0.28.1:config/notifiers.go, the version kube-prometheus-stack 77.5.0 runs).
 */

/** An environment's alert receiver. */
export type AlertReceiver =
  | { readonly receiver: "none" }
  | { readonly receiver: "slack"; readonly secretName: string; readonly channel: string }
  | { readonly receiver: "pagerduty"; readonly secretName: string }
  | { readonly receiver: "webhook"; readonly secretName: string };

/** Name of the default receiver: visible in Alertmanager's status and UI, where 'null' would look intended. */
export const NO_RECEIVER = "no-receiver-configured";
/** Key of the secret holding the URL (slack, webhook) or the Events API v2 routing key (pagerduty). */
export const RECEIVER_SECRET_KEYS = { slack: "url", pagerduty: "routing-key", webhook: "url" } as const;

const mounted = (secretName: string, key: string) => `/etc/alertmanager/secrets/${secretName}/${key}`;

/** The receiver's Alertmanager config entry. */
function receiverConfig(r: AlertReceiver): Record<string, unknown> {
  switch (r.receiver) {
    case "none":
      return { name: NO_RECEIVER };
    case "slack":
      return { name: "slack", slack_configs: [{ api_url_file: mounted(r.secretName, RECEIVER_SECRET_KEYS.slack), channel: r.channel, send_resolved: true }] };
    case "pagerduty":
      return { name: "pagerduty", pagerduty_configs: [{ routing_key_file: mounted(r.secretName, RECEIVER_SECRET_KEYS.pagerduty), send_resolved: true }] };
    case "webhook":
      return { name: "webhook", webhook_configs: [{ url_file: mounted(r.secretName, RECEIVER_SECRET_KEYS.webhook), send_resolved: true }] };
  }
}

/**
 * kube-prometheus-stack values for the receiver: the route (Watchdog still to 'null', as the chart's default), the
 * receivers, and the secret to mount. Helm replaces lists, so the chart's inhibit rules and templates stay.
 */
export function alertmanagerValues(r: AlertReceiver): { config: Record<string, unknown>; alertmanagerSpec?: { secrets: string[] } } {
  const receiver = receiverConfig(r);
  return {
    config: {
      route: { receiver: receiver.name, routes: [{ receiver: "null", matchers: ['alertname = "Watchdog"'] }] },
      receivers: [{ name: "null" }, receiver],
    },
    ...(r.receiver === "none" ? {} : { alertmanagerSpec: { secrets: [r.secretName] } }),
  };
}

/** One line for the stack output and the operator: where alerts go, and what must exist. */
export function describeAlertReceiver(r: AlertReceiver): string {
  if (r.receiver === "none") {
    return `${NO_RECEIVER}: alerts are only visible in Alertmanager and Grafana; set platform.monitoring.alerts to slack, pagerduty or webhook`;
  }
  return `${r.receiver}: needs the secret monitoring/${r.secretName} with key ${RECEIVER_SECRET_KEYS[r.receiver]} before the platform stack is applied`;
}
