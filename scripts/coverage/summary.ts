/**
 * Coverage summary of the contracts after `hardhat test --coverage` (used by `npm run coverage`): line, statement
 * and `if`-branch coverage per file, from what Hardhat 3 writes under `coverage/`:
 * - `coverage/lcov.info`: line coverage (`SF`/`DA`/`LH`/`LF` records; Hardhat 3.18 writes no `BRDA` branch records);
 * - `coverage/data/<runner>/*.json`: hit counts per statement tag, summed over the runners (solidity, mocha).
 *
 * Statement tags are recomputed with the same EDR instrumentation Hardhat uses (tags are deterministic from the
 * source, its source name and the solc version; EDR counts a `{ ... }` block as a statement too, as Hardhat's own
 * "Statement %" does). Branches are derived: each Solidity `if` has two branches, the `true` one taken when its body
 * ran, the `false` one when the `else` body ran or, without an `else`, when the `if` was reached more often than its
 * body ran (a condition that reverts counts as `false` there). Not counted: ternary
 * `?:` and short-circuit `&&`/`||` (no statement inside them to observe), and everything inside `assembly` (one
 * statement for Hardhat: all its lines are covered or not together). No dependency on `hre`.
 */
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

/** Hit and found counts of one measure. */
export interface Ratio {
  hit: number;
  found: number;
}

/** Coverage of one source file. */
export interface FileCoverage {
  /** Project-relative path, as in `lcov.info`. */
  file: string;
  lines: Ratio;
  statements: Ratio;
  branches: Ratio;
  /** Lines of the `if` statements with a branch never taken, with the branch (`T` or `F`), e.g. `360F`. */
  missedBranches: string[];
  /** Line numbers never executed. */
  missedLines: number[];
}

/** Line coverage of one file from `lcov.info`. */
export interface LcovFile {
  file: string;
  /** Execution count per instrumented line. */
  lines: Map<number, number>;
}

/**
 * Files whose coverage is shown but not counted in the totals: mocks, harnesses, test contracts. (The anonymous-proof
 * verifier, `contracts/zk/AnonProofVerifier.sol`, is generated from our own template and counted.)
 */
export function isExcluded(file: string): boolean {
  const f = file.split(path.sep).join("/");
  return f.startsWith("contracts/mocks/") || f.startsWith("test/") || f.endsWith(".t.sol") || /Harness\.sol$/.test(f);
}

/** Parses the `SF`/`DA` records of an lcov tracefile. */
export function parseLcov(text: string): LcovFile[] {
  const files: LcovFile[] = [];
  let current: LcovFile | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("SF:")) {
      current = { file: line.slice(3), lines: new Map() };
      files.push(current);
    } else if (line.startsWith("DA:") && current !== undefined) {
      const [lineNo, count] = line.slice(3).split(",");
      current.lines.set(Number(lineNo), Number(count));
    } else if (line === "end_of_record") {
      current = undefined;
    }
  }
  return files;
}

/** Sums the hit counts per statement tag of every runner's data files under `coverageDir/data`. */
export function readHits(coverageDir: string): Map<string, number> {
  const hits = new Map<string, number>();
  const dataDir = path.join(coverageDir, "data");
  if (!existsSync(dataDir)) return hits;
  for (const runner of readdirSync(dataDir)) {
    for (const name of readdirSync(path.join(dataDir, runner)).filter((n) => n.endsWith(".json"))) {
      const entries = JSON.parse(readFileSync(path.join(dataDir, runner, name), "utf8")) as Record<string, number>;
      for (const [tag, count] of Object.entries(entries)) hits.set(tag, (hits.get(tag) ?? 0) + count);
    }
  }
  return hits;
}

/** A statement as instrumented: its tag and its range (UTF-16 offsets, leading trivia included). */
export interface StatementTag {
  tag: string;
  start: number;
  end: number;
}

/** Instruments `source` as Hardhat does, for the tags and ranges only (`sourceName` as `project/<path>`). */
export type Instrument = (source: string, sourceName: string, solcVersion: string) => StatementTag[];

/** Parses Solidity sources to their AST (`solc --stop-after parsing`), keyed by source name. */
export type ParseAst = (sources: Record<string, string>) => Record<string, AstNode>;

/** The part of a solc AST node this summary reads. */
export interface AstNode {
  nodeType?: string;
  src?: string;
  trueBody?: AstNode;
  falseBody?: AstNode | null;
  statements?: AstNode[];
  [key: string]: unknown;
}

/** EDR's instrumentation, loaded through Hardhat (so it is the very copy Hardhat instruments with). */
export function edrInstrument(projectRoot: string): Instrument {
  const fromHardhat = createRequire(createRequire(path.join(projectRoot, "package.json")).resolve("hardhat"));
  const edr = fromHardhat("@nomicfoundation/edr") as {
    addStatementCoverageInstrumentation(
      source: string,
      sourceName: string,
      version: string,
    ): { metadata: { tag: Uint8Array; kind: string; startUtf16: number; endUtf16: number }[] };
    latestSupportedSolidityVersion(): string;
  };
  return (source, sourceName, solcVersion) => {
    // Hardhat instruments with the compiler's version, capped at the newest one EDR supports
    const latest = edr.latestSupportedSolidityVersion();
    const version = compareVersions(solcVersion, latest) <= 0 ? solcVersion : latest;
    return edr
      .addStatementCoverageInstrumentation(source, sourceName, version)
      .metadata.filter((m) => m.kind === "statement")
      .map((m) => ({ tag: Buffer.from(m.tag).toString("hex"), start: m.startUtf16, end: m.endUtf16 }));
  };
}

/** The project's solc (npm `solc`), parsing only. */
export function solcParser(projectRoot: string): { parse: ParseAst; version: string } {
  const req = createRequire(path.join(projectRoot, "package.json"));
  const solc = req("solc") as { compile(input: string): string; version(): string };
  const version = (req("solc/package.json") as { version: string }).version;
  const parse: ParseAst = (sources) => {
    const input = {
      language: "Solidity",
      sources: Object.fromEntries(Object.entries(sources).map(([name, content]) => [name, { content }])),
      settings: { stopAfter: "parsing", outputSelection: { "*": { "": ["ast"] } } },
    };
    const output = JSON.parse(solc.compile(JSON.stringify(input))) as {
      sources?: Record<string, { ast: AstNode }>;
      errors?: { severity: string; formattedMessage: string }[];
    };
    const errors = (output.errors ?? []).filter((e) => e.severity === "error");
    if (errors.length > 0) throw new Error(`coverage summary: solc could not parse: ${errors[0]!.formattedMessage}`);
    return Object.fromEntries(Object.entries(output.sources ?? {}).map(([name, s]) => [name, s.ast]));
  };
  return { parse, version };
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/** Maps byte offsets of `source` (solc's `src`) to UTF-16 offsets (EDR's) and to 1-based line numbers. */
function offsetMaps(source: string): { utf16: (byte: number) => number; line: (byte: number) => number } {
  const bytes = Buffer.byteLength(source, "utf8");
  const toUtf16 = new Int32Array(bytes + 1);
  const toLine = new Int32Array(bytes + 1);
  let b = 0;
  let u = 0;
  let line = 1;
  for (const ch of source) {
    const n = Buffer.byteLength(ch, "utf8");
    for (let k = 0; k < n; k++) {
      toUtf16[b + k] = u;
      toLine[b + k] = line;
    }
    b += n;
    u += ch.length;
    if (ch === "\n") line++;
  }
  toUtf16[b] = u;
  toLine[b] = line;
  return { utf16: (x) => toUtf16[x]!, line: (x) => toLine[x]! };
}

function walk(node: unknown, visit: (n: AstNode) => void): void {
  if (Array.isArray(node)) {
    for (const child of node) walk(child, visit);
  } else if (node !== null && typeof node === "object") {
    const n = node as AstNode;
    if (typeof n.nodeType === "string") visit(n);
    for (const value of Object.values(n)) if (value !== null && typeof value === "object") walk(value, visit);
  }
}

/**
 * Statement and `if`-branch coverage of one source from its statement tags, its AST and the hit counts. A branch
 * whose body carries no tag of its own (neither the body nor its first statement) is not counted.
 */
export function statementAndBranchCoverage(
  source: string,
  tags: StatementTag[],
  ast: AstNode,
  hits: ReadonlyMap<string, number>,
): Pick<FileCoverage, "statements" | "branches" | "missedBranches"> {
  const statements = { hit: tags.filter((t) => (hits.get(t.tag) ?? 0) > 0).length, found: tags.length };
  const { utf16, line } = offsetMaps(source);
  const range = (n: AstNode) => {
    const [start, length] = (n.src ?? "0:0").split(":").map(Number) as [number, number];
    return { start: utf16(start), end: utf16(start + length), line: line(start) };
  };
  // the innermost instrumented statement whose range contains the node's
  const tagOf = (n: AstNode): StatementTag | undefined => {
    const r = range(n);
    let best: StatementTag | undefined;
    for (const t of tags) {
      if (t.start <= r.start && t.end >= r.end && (best === undefined || t.end - t.start < best.end - best.start)) {
        best = t;
      }
    }
    return best;
  };
  const firstStatement = (body: AstNode): AstNode | undefined =>
    body.nodeType === "Block" || body.nodeType === "UncheckedBlock" ? body.statements?.[0] : body;
  const count = (t: StatementTag | undefined) => (t === undefined ? 0 : (hits.get(t.tag) ?? 0));

  const branches = { hit: 0, found: 0 };
  const missedBranches: string[] = [];
  walk(ast, (n) => {
    if (n.nodeType !== "IfStatement" || n.trueBody === undefined) return;
    const ifTag = tagOf(n);
    if (ifTag === undefined) return;
    // times a body ran: its own tag (EDR tags a `{ ... }` body too), else that of its first statement
    const outcome = (body: AstNode | null | undefined): number | undefined => {
      if (!body) return undefined;
      for (const node of [body, firstStatement(body)]) {
        const t = node ? tagOf(node) : undefined;
        if (t !== undefined && t !== ifTag) return count(t);
      }
      return undefined;
    };
    const taken = outcome(n.trueBody);
    const notTaken = n.falseBody ? outcome(n.falseBody) : taken === undefined ? undefined : count(ifTag) - taken;
    const ifLine = range(n).line;
    for (const [times, label] of [
      [taken, "T"],
      [notTaken, "F"],
    ] as const) {
      if (times === undefined) continue;
      branches.found++;
      if (times > 0) branches.hit++;
      else missedBranches.push(`${ifLine}${label}`);
    }
  });
  return { statements, branches, missedBranches };
}

/** Coverage of every file in `coverageDir/lcov.info`, read from the project at `projectRoot`. */
export function summarize(
  projectRoot: string,
  coverageDir: string,
  tools: { instrument: Instrument; parse: ParseAst; solcVersion: string },
): FileCoverage[] {
  const lcovPath = path.join(coverageDir, "lcov.info");
  if (!existsSync(lcovPath)) throw new Error(`coverage summary: ${lcovPath} is missing (no coverage run finished)`);
  const lcov = parseLcov(readFileSync(lcovPath, "utf8"));
  const hits = readHits(coverageDir);
  const sourceName = (file: string) => `project/${file.split(path.sep).join("/")}`;
  const sources = Object.fromEntries(
    lcov.map((f) => [sourceName(f.file), readFileSync(path.join(projectRoot, f.file), "utf8")]),
  );
  const asts = tools.parse(sources);
  const files = lcov.map((f) => {
    const name = sourceName(f.file);
    const source = sources[name]!;
    const tags = tools.instrument(source, name, tools.solcVersion);
    const counts = [...f.lines.values()];
    const lines = { hit: counts.filter((c) => c > 0).length, found: counts.length };
    const derived = statementAndBranchCoverage(source, tags, asts[name]!, hits);
    const missedLines = [...f.lines].filter(([, c]) => c === 0).map(([l]) => l);
    return { file: f.file, lines, ...derived, missedLines };
  });
  // hits recorded, but none on a statement we know: the tags were computed differently (another solc or EDR)
  if (hits.size > 0 && files.every((f) => f.statements.hit === 0)) {
    throw new Error("coverage summary: no statement tag matches the recorded hits (another solc or EDR version?)");
  }
  return files;
}

const pct = (r: Ratio) => (r.found === 0 ? "-" : `${((100 * r.hit) / r.found).toFixed(2)}%`);
const frac = (r: Ratio) => (r.found === 0 ? "0/0" : `${r.hit}/${r.found}`);

/** Compresses sorted line numbers to ranges: `1, 2, 3, 7` → `1-3, 7`. */
export function lineRanges(lines: number[]): string {
  const sorted = [...lines].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    out.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return out.join(", ");
}

/** Sums the ratios of the files counted in the totals (not excluded). */
export function totals(files: FileCoverage[]): { lines: Ratio; statements: Ratio; branches: Ratio } {
  const sum = (pick: (f: FileCoverage) => Ratio) =>
    files
      .filter((f) => !isExcluded(f.file))
      .map(pick)
      .reduce((a, b) => ({ hit: a.hit + b.hit, found: a.found + b.found }), { hit: 0, found: 0 });
  return { lines: sum((f) => f.lines), statements: sum((f) => f.statements), branches: sum((f) => f.branches) };
}

/** A plain-text table: counted files, the totals, then the excluded files. */
export function formatSummary(files: FileCoverage[]): string {
  const counted = files.filter((f) => !isExcluded(f.file)).sort((a, b) => a.file.localeCompare(b.file));
  const excluded = files.filter((f) => isExcluded(f.file)).sort((a, b) => a.file.localeCompare(b.file));
  const header = ["File", "Lines", "", "Statements", "", "Branches (if)", "", "Missed lines / branches"];
  const row = (f: { file: string; lines: Ratio; statements: Ratio; branches: Ratio }, missed: string) => [
    f.file,
    pct(f.lines),
    frac(f.lines),
    pct(f.statements),
    frac(f.statements),
    pct(f.branches),
    frac(f.branches),
    missed,
  ];
  // missed lines (L) and branches (B), each cut at 40 characters (the full list: coverage/html)
  const cut = (text: string) => (text.length <= 40 ? text : `${text.slice(0, 39)}…`);
  const missed = (f: FileCoverage) =>
    [
      f.missedLines.length ? cut(`L ${lineRanges(f.missedLines)}`) : "",
      f.missedBranches.length ? cut(`B ${f.missedBranches.join(", ")}`) : "",
    ]
      .filter(Boolean)
      .join("; ");
  const rows = [
    header,
    ...counted.map((f) => row(f, missed(f))),
    row({ file: "Total (excluding mocks, harnesses, generated)", ...totals(files) }, ""),
    ...excluded.map((f) => row({ ...f, file: `${f.file} (excluded)` }, "")),
  ];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join("  ")
      .trimEnd();
  const rule = "-".repeat(widths.reduce((a, b) => a + b + 2, -2));
  const lines = [
    fmt(rows[0]!),
    rule,
    ...rows.slice(1, counted.length + 1).map(fmt),
    rule,
    fmt(rows[counted.length + 1]!),
  ];
  if (excluded.length > 0) lines.push(rule, ...rows.slice(counted.length + 2).map(fmt));
  return [
    "Contract coverage (lines from coverage/lcov.info; statements and if-branches derived from the hit counts)",
    ...lines,
    "Not in the totals: contracts/mocks/**, test harnesses/contracts and the generated Groth16 verifier. Branches: both outcomes of every Solidity " +
      "`if`; ternaries, &&/|| and assembly are not counted (an assembly block is one statement for Hardhat).",
  ].join("\n");
}
