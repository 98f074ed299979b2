import { AnonError } from "../../../src/anon/anon-error.js";
import { ANON_BACKUP_MIN_PASSPHRASE_LENGTH } from "../../../src/anon/secret-backup.js";
import { backupAnonSecret } from "../../../src/binding/backup-anon-secret.js";
import { openCardSigner } from "../../../src/card/open-card-signer.js";
import { readSecret } from "../../../src/card/read-secret.js";
import { taskAction } from "../../../src/cli/task-action.js";

interface Args {
  out: string | undefined;
  card: string;
  pinEnv: string | undefined;
  passphraseEnv: string | undefined;
}

export default taskAction(async (args: Args) => {
  if (args.out === undefined) throw new AnonError("ANON_BACKUP_BAD_ARGUMENT", "--out <file> is required");
  const card = await openCardSigner(args.card);
  try {
    await backupAnonSecret({
      card,
      out: args.out,
      askPin: (left) => {
        const tries = left === undefined ? "" : ` (${left} ${left === 1 ? "try" : "tries"} left)`;
        return readSecret(`Authentication PIN (4 digits)${tries}: `, args.pinEnv);
      },
      askPassphrase: async () => {
        const prompt = `Backup passphrase (${ANON_BACKUP_MIN_PASSPHRASE_LENGTH}+ characters): `;
        if (args.passphraseEnv !== undefined) return readSecret(prompt, args.passphraseEnv);
        if (!process.stdin.isTTY) {
          throw new AnonError("ANON_BACKUP_BAD_ARGUMENT", "no terminal to ask the passphrase on; use --passphrase-env");
        }
        const first = await readSecret(prompt);
        if ((await readSecret("Repeat the passphrase: ")) !== first) {
          throw new AnonError("ANON_BACKUP_BAD_ARGUMENT", "the two passphrases differ");
        }
        return first;
      },
      print: (line) => console.log(line),
    });
  } finally {
    await card.close();
  }
});
