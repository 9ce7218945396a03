/** Every policy rule, in report order. Adding a rule is adding a file and a line here. */
import type { Rule } from "../types";
import { a100OnDemand } from "./a100-on-demand";
import { eksControlPlaneLogging } from "./eks-control-plane-logging";
import { eksEndpointAccess } from "./eks-endpoint-access";
import { eksSecretsEncryption } from "./eks-secrets-encryption";
import { elasticacheEncryption } from "./elasticache-encryption";
import { gpuCeiling } from "./gpu-ceiling";
import { gpuNodeGroupTaint } from "./gpu-node-group-taint";
import { gpuWorkloadResources } from "./gpu-workload-resources";
import { helmChartPinned } from "./helm-chart-pinned";
import { helmImageTags } from "./helm-image-tags";
import { l40sSpotDiversified } from "./l40s-spot-diversified";
import { launchTemplateImdsv2 } from "./launch-template-imdsv2";
import { qdrantPersistenceAuth } from "./qdrant-persistence-auth";
import { requiredTags } from "./required-tags";
import { rootVolumeEncryption } from "./root-volume-encryption";
import { s3Encryption } from "./s3-encryption";
import { s3PublicAccessBlock } from "./s3-public-access-block";
import { s3Versioning } from "./s3-versioning";
import { securityGroupOpenIngress } from "./security-group-open-ingress";
import { stateBackend } from "./state-backend";

export const RULES: readonly Rule[] = [
  eksSecretsEncryption,
  eksControlPlaneLogging,
  eksEndpointAccess,
  launchTemplateImdsv2,
  rootVolumeEncryption,
  gpuNodeGroupTaint,
  a100OnDemand,
  l40sSpotDiversified,
  gpuCeiling,
  s3PublicAccessBlock,
  s3Encryption,
  s3Versioning,
  elasticacheEncryption,
  securityGroupOpenIngress,
  requiredTags,
  helmChartPinned,
  helmImageTags,
  gpuWorkloadResources,
  qdrantPersistenceAuth,
  stateBackend,
];
