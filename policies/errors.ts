/** Bad input to the policy and review CLIs: they exit with code 2 and print this message (file and field named). */
export class PolicyInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PolicyInputError";
  }
}
