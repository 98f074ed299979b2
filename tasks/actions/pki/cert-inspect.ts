import { taskAction } from "../../../src/cli/task-action.js";
import {
  PERSONAL_DATA_WARNING,
  formatSummary,
  readCertificateFile,
  summarizeCertificate,
} from "../../../src/pki/cli/inspect.js";

interface Args {
  file: string;
  json: boolean;
  showAttributes: boolean;
}

export default taskAction(async (args: Args) => {
  const summary = summarizeCertificate(readCertificateFile(args.file), args.showAttributes);
  if (args.showAttributes) process.stderr.write(PERSONAL_DATA_WARNING + "\n");
  console.log(args.json ? JSON.stringify(summary, null, 2) : formatSummary(summary));
});
