import type { ITerraformDependable } from "cdktf";

/** What every platform-layer release construct is given. */
export interface PlatformReleaseProps {
  /** Environment name, for error messages. */
  readonly environment: string;
  /** Namespace (must exist). */
  readonly namespace: string;
  /** What must exist first. @default [] */
  readonly dependsOn?: readonly ITerraformDependable[];
}
