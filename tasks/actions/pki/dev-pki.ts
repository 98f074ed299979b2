import { taskAction } from "../../../src/cli/task-action.js";
import { generateDevPki } from "../../../src/pki/dev-pki/generate.js";
import { PkiError } from "../../../src/pki/pki-error.js";

interface Args {
  out: string | undefined;
  seed: number;
  holders: number;
  now: string | undefined;
}

export default taskAction(async (args: Args) => {
  if (args.out === undefined) throw new PkiError("PKI_BAD_ARGUMENT", "--out <dir> is required");
  const now = args.now === undefined ? undefined : new Date(args.now);
  if (now && Number.isNaN(now.getTime()))
    throw new PkiError("PKI_BAD_ARGUMENT", `--now "${args.now}" is not an ISO date`);
  const m = await generateDevPki({ out: args.out, seed: args.seed, holders: args.holders, ...(now ? { now } : {}) });
  console.log(`Synthetic JPKI world written to ${args.out} (seed ${m.seed}, now ${m.now})`);
  console.log(`  CAs:     ${m.cas.map((c) => c.id).join(", ")}`);
  for (const h of m.holders) {
    const st = `auth ${h.auth.status}${h.sign ? `, sign ${h.sign.status}` : ", no sign certificate"}`;
    console.log(`  ${h.id} ${h.scenario.padEnd(26)} age ${String(h.age).padStart(2)}  ${st}`);
  }
  console.log(
    `  CRLs:    ${m.crls.length} files (${m.crls.filter((c) => c.stale).length} stale) in ${m.partitions.length} partitions`,
  );
});
