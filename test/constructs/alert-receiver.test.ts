import { Testing } from "cdktf";
import { alertmanagerValues, describeAlertReceiver, NO_RECEIVER, type AlertReceiver } from "../../constructs/alert-receiver";
import { environmentSchema } from "../../stacks/environment-config";
import { ENVIRONMENTS, platformStackOf, withChange } from "../platform/fixtures";

const dev = ENVIRONMENTS.find((e) => e.name === "dev")!;

test("by default alerts go to a receiver named for what it is, and the stack says so", () => {
  const stack = platformStackOf(dev);
  const values = stack.monitoring.release.values as { alertmanager: ReturnType<typeof alertmanagerValues> };
  expect(values.alertmanager.config.route).toMatchObject({ receiver: NO_RECEIVER });
  // No receiver secret is mounted (alertmanagerSpec still carries the pod's resources).
  expect(values.alertmanager.alertmanagerSpec?.secrets).toBeUndefined();
  const out = JSON.parse(Testing.synth(stack)) as { output: Record<string, { value: string }> };
  expect(out.output["alert_receiver"]!.value).toMatch(/^no-receiver-configured: alerts are only visible in Alertmanager and Grafana; set platform\.monitoring\.alerts/);
});

test.each<[AlertReceiver, string, string]>([
  [{ receiver: "slack", secretName: "alertmanager-slack", channel: "#llm-alerts" }, "slack_configs", "api_url_file"],
  [{ receiver: "pagerduty", secretName: "alertmanager-pagerduty" }, "pagerduty_configs", "routing_key_file"],
  [{ receiver: "webhook", secretName: "alertmanager-webhook" }, "webhook_configs", "url_file"],
])("%o: routed there, the secret mounted and read from its file, never inlined", (receiver, configs, fileKey) => {
  const env = withChange(dev, (e) => (e.platform.monitoring.alerts = receiver));
  const stack = platformStackOf(env);
  const values = stack.monitoring.release.values as { alertmanager: { config: { route: { receiver: string }; receivers: Array<Record<string, unknown>> }; alertmanagerSpec: { secrets: string[] } } };
  const name = receiver.receiver;
  const secretName = (receiver as { secretName: string }).secretName;
  expect(values.alertmanager.config.route.receiver).toBe(name);
  expect(values.alertmanager.alertmanagerSpec.secrets).toEqual([secretName]);
  const entry = values.alertmanager.config.receivers.find((r) => r["name"] === name)!;
  expect((entry[configs] as Array<Record<string, string>>)[0]![fileKey]).toMatch(new RegExp(`^/etc/alertmanager/secrets/${secretName}/(url|routing-key)$`));
  // No URL, key or token in the synthesized stack: only the file path.
  const json = Testing.synth(stack);
  expect(json).not.toMatch(/hooks\.slack\.com|events\.pagerduty\.com|"api_url"|"routing_key"|"url":/);
  expect(describeAlertReceiver(receiver)).toContain(`monitoring/${secretName}`);
});

test("the Watchdog keeps going to 'null' whatever the receiver", () => {
  for (const r of [{ receiver: "none" }, { receiver: "webhook", secretName: "w" }] as AlertReceiver[]) {
    expect(alertmanagerValues(r).config.route).toMatchObject({ routes: [{ receiver: "null", matchers: ['alertname = "Watchdog"'] }] });
    expect(alertmanagerValues(r).config.receivers).toContainEqual({ name: "null" });
  }
});

test("the environment file refuses an inlined URL and a receiver without its secret", () => {
  const base = structuredClone(dev) as unknown as { platform: { monitoring: Record<string, unknown> } };
  const parse = (alerts: unknown) => environmentSchema.safeParse({ ...base, platform: { ...base.platform, monitoring: { ...base.platform.monitoring, alerts } } });
  expect(parse({ receiver: "slack", secretName: "s", channel: "#a" }).success).toBe(true);
  expect(parse({ receiver: "slack", url: "https://hooks.slack.com/services/T/B/X", channel: "#a" }).success).toBe(false);
  expect(parse({ receiver: "pagerduty" }).success).toBe(false);
  expect(parse({ receiver: "webhook", secretName: "Not_A_Secret" }).success).toBe(false);
  expect(parse({ receiver: "email", secretName: "s" }).success).toBe(false);
});
