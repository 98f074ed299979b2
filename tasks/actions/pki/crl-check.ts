import { taskAction } from "../../../src/cli/task-action.js";
import { checkCrl, crlCheckExitCode } from "../../../src/pki/cli/crl-check.js";
import { PkiError } from "../../../src/pki/pki-error.js";

interface Args {
  crl: string | undefined;
  ca: string | undefined;
  cert: string | undefined;
  serial: string | undefined;
  at: string | undefined;
  json: boolean;
}

export default taskAction(async (args: Args) => {
  if (args.crl === undefined || args.ca === undefined) {
    throw new PkiError("PKI_BAD_ARGUMENT", "--crl <file|dir> and --ca <file> are required");
  }
  const r = checkCrl({
    crl: args.crl,
    ca: args.ca,
    ...(args.cert !== undefined ? { cert: args.cert } : {}),
    ...(args.serial !== undefined ? { serial: args.serial } : {}),
    ...(args.at !== undefined ? { at: args.at } : {}),
  });
  if (args.json) console.log(JSON.stringify(r, null, 2));
  else if (r.status === "error") process.stderr.write(`Error [PKI_CRL_INVALID]: ${r.error}\n`);
  else {
    console.log(
      r.status === "good"
        ? `good: serial ${r.serialHex} is not listed (CRL ${r.crl.entries} entries, next update ${r.crl.nextUpdate})`
        : `revoked: serial ${r.serialHex} since ${r.revokedAt} (${r.reason})`,
    );
  }
  return crlCheckExitCode(r);
});
