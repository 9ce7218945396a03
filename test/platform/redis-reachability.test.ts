/**
 * In-cluster Redis (the Valkey chart) is reachable only from the gateway: the chart renders no NetworkPolicy of its
 * own (its template renders one only `with .Values.networkPolicy`, which the release leaves unset:
 * valkey-io/valkey-helm@valkey-0.11.0:valkey/templates/netpol.yaml), so the gateway chart's policy is the only one
 * selecting Redis' pods, and it admits the gateway on 6379, Prometheus on the exporter's 9121 and Redis' own pods
 * (replication) on 6379. Bitnami's chart shipped an allow-all policy of its own that defeated this one.
 */
import { localChartDir } from "../../constructs/private/helm-charts";
import { renderChart } from "../support/chart-render";
import { UPSTREAM_FACTS } from "../support/upstream-charts";
import { ENVIRONMENTS, platformStackOf } from "./fixtures";

interface Peer { namespaceSelector?: { matchLabels: Record<string, string> }; podSelector?: { matchLabels: Record<string, string> } }
interface Policy { kind: string; metadata: { name: string; namespace: string }; spec: { podSelector: { matchLabels: Record<string, string> }; ingress: Array<{ from: Peer[]; ports: Array<{ port: number }> }> } }

const inCluster = ENVIRONMENTS.filter((e) => e.redis.mode === "in-cluster");

test("some shipped environment runs Redis in the cluster", () => {
  expect(inCluster.length).toBeGreaterThan(0);
});

describe.each(inCluster.map((e) => [e.name, e] as const))("%s", (_name, env) => {
  const stack = platformStackOf(env);
  const redis = stack.releases.find((r) => r.chartName === "valkey")!;
  const gateway = stack.gateway.release;
  const docs = renderChart(localChartDir("llm-gateway"), gateway.values as Record<string, unknown>, gateway.releaseName, gateway.namespace).map((d) => d.doc as unknown as Policy);
  const policies = docs.filter((d) => d?.kind === "NetworkPolicy" && d.metadata.namespace === redis.namespace);

  test("the Valkey release asks its chart for no NetworkPolicy, and the pods it labels are the ones our policy selects", () => {
    const values = redis.values as { networkPolicy?: unknown; nameOverride: string };
    // The chart version's own default renders no policy (a verified fact), and the release does not override it.
    const facts = UPSTREAM_FACTS.find((f) => f.chart === redis.chartName && f.version === redis.version) as { defaults?: Array<{ path: string; value: unknown }> } | undefined;
    expect(facts?.defaults?.find((d) => d.path === "networkPolicy")?.value).toEqual({});
    expect(values.networkPolicy).toBeUndefined();
    // valkey.selectorLabels: app.kubernetes.io/name = nameOverride, app.kubernetes.io/instance = release name.
    expect(policies).toHaveLength(1);
    expect(policies[0]!.spec.podSelector.matchLabels).toEqual({ "app.kubernetes.io/name": values.nameOverride, "app.kubernetes.io/instance": redis.releaseName });
  });

  test("only the gateway reaches 6379; Prometheus reaches only the exporter; Redis' own pods replicate", () => {
    const rules = policies[0]!.spec.ingress.map((r) => ({ from: r.from, ports: r.ports.map((p) => p.port) }));
    const gatewayRule = rules.find((r) => r.from.some((f) => f.namespaceSelector?.matchLabels["kubernetes.io/metadata.name"] === gateway.namespace))!;
    expect(gatewayRule.ports).toEqual([6379]);
    expect(gatewayRule.from[0]!.podSelector?.matchLabels).toMatchObject({ "app.kubernetes.io/name": "llm-gateway" });
    const monitoring = rules.find((r) => r.from.some((f) => f.namespaceSelector?.matchLabels["kubernetes.io/metadata.name"] === "monitoring"))!;
    expect(monitoring.ports).toEqual([9121]);
    for (const r of rules) {
      // Every rule names its peers: no empty `from` (which would admit any pod), no namespace-wide 6379 except the gateway's pods.
      expect(r.from.length).toBeGreaterThan(0);
      if (r.ports.includes(6379)) expect(r.from.every((f) => f.podSelector !== undefined)).toBe(true);
    }
    expect(rules.flatMap((r) => r.ports).filter((p) => p === 26379)).toEqual([]);
  });
});
