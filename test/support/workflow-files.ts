/** The repository's GitHub workflow files, listed and parsed once for the tests that check them. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

export const WORKFLOW_DIR = join(__dirname, "..", "..", ".github", "workflows");

export interface WorkflowStep { name?: string; run?: string; shell?: string }
export interface WorkflowJob {
  uses?: string;
  with?: Record<string, unknown>;
  needs?: string | string[];
  steps?: WorkflowStep[];
  defaults?: { run?: { shell?: string } };
}
export interface WorkflowFile {
  on?: { workflow_call?: { inputs?: Record<string, { required?: boolean }> } };
  jobs: Record<string, WorkflowJob>;
}

/** File names of the workflows (.yml and .yaml). */
export const workflowFiles: readonly string[] = readdirSync(WORKFLOW_DIR).filter((f) => /\.ya?ml$/.test(f));

export function readWorkflow(file: string): WorkflowFile {
  return parse(readFileSync(join(WORKFLOW_DIR, file), "utf8")) as WorkflowFile;
}
