import { CardError } from "./card-error.js";

/**
 * Reads a PIN: from the environment variable `envVar` when given (for automation), otherwise from the terminal
 * without echo. Never logs the value.
 * @throws CardError `CARD_BAD_ARGUMENT` when the variable is unset/empty, or there is no terminal to ask on.
 */
export async function readSecret(prompt: string, envVar?: string): Promise<string> {
  if (envVar !== undefined && envVar !== "") {
    const value = process.env[envVar];
    if (value === undefined || value === "") {
      throw new CardError("CARD_BAD_ARGUMENT", `environment variable ${envVar} is not set`);
    }
    return value;
  }
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    throw new CardError(
      "CARD_BAD_ARGUMENT",
      `${prompt.replace(/:\s*$/, "")}: no terminal to ask on; pass the variable name with --pin-env / --sign-password-env`,
    );
  }
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding("utf8");
  try {
    return await new Promise<string>((resolve, reject) => {
      let value = "";
      const onData = (chunk: string) => {
        for (const ch of chunk) {
          if (ch === "\r" || ch === "\n" || ch === "\u0004") {
            stdin.off("data", onData);
            process.stderr.write("\n");
            resolve(value);
            return;
          }
          if (ch === "\u0003") {
            stdin.off("data", onData);
            process.stderr.write("\n");
            reject(new CardError("CARD_BAD_ARGUMENT", "cancelled"));
            return;
          }
          if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
          else if (ch >= " ") value += ch;
        }
      };
      stdin.on("data", onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
  }
}
