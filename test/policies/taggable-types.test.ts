/** The tagging rule's list of taggable types matches the installed AWS provider bindings. */
import taggable from "../../policies/data/taggable-aws-types.json";
import { scanTaggableTypes } from "../../policies/tools/generate-taggable-types";

it("policies/data/taggable-aws-types.json is current (regenerate with policies/tools/generate-taggable-types.ts)", () => {
  const scanned = scanTaggableTypes();
  expect(taggable.provider).toBe(scanned.provider);
  expect(taggable.types).toEqual(scanned.types);
  expect(taggable.types).toEqual(expect.arrayContaining(["aws_eks_node_group", "aws_s3_bucket", "aws_kms_key"]));
  expect(taggable.types).not.toContain("aws_s3_bucket_versioning");
});
