/**
 * `node:sqlite` (the operator store) announces itself as experimental when first loaded. The warning is noise for
 * operators on every command, so this drops that one warning and passes every other warning to Node's own printer.
 * Imported for its side effect by `hardhat.config.ts`, before anything loads the store.
 */
const printers = process.listeners("warning");
process.removeAllListeners("warning");
process.on("warning", (warning) => {
  if (warning.name === "ExperimentalWarning" && /SQLite/.test(warning.message)) return;
  for (const print of printers) print(warning);
});
