import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import {
  edrInstrument,
  formatSummary,
  isExcluded,
  lineRanges,
  parseLcov,
  readHits,
  solcParser,
  statementAndBranchCoverage,
  totals,
  type FileCoverage,
  type StatementTag,
} from "../../scripts/coverage/summary.js";

const root = process.cwd();

// A comment with multi-byte characters (— ü) before the code: solc counts bytes, EDR counts UTF-16 units.
const SOURCE = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

// — ü —
contract C {
    function f(uint256 x) external pure returns (uint256 y) {
        if (x > 1) y = 1;
        if (x > 2) {
            y = 2;
        } else {
            y = 3;
        }
    }
}
`;
const NAME = "project/contracts/C.sol";

describe("npm run coverage: the summary derived from Hardhat's coverage output", function () {
  let tags: StatementTag[];
  let ast: ReturnType<ReturnType<typeof solcParser>["parse"]>[string];

  before(function () {
    const { parse, version } = solcParser(root);
    tags = edrInstrument(root)(SOURCE, NAME, version);
    ast = parse({ [NAME]: SOURCE })[NAME]!;
  });

  /**
   * Hit counts per statement, keyed by the start of the statement's text (`if (x > 1)`, `y = 2`, ...); a `{ ... }`
   * body (EDR tags blocks too) ran as often as its first statement.
   */
  function hitsOf(counts: Record<string, number>): Map<string, number> {
    const hits = new Map<string, number>();
    for (const t of tags) {
      const text = SOURCE.slice(t.start, t.end)
        .trim()
        .replace(/^\{\s*/, "");
      const key = Object.keys(counts).find((k) => text.startsWith(k));
      if (key !== undefined && counts[key]! > 0) hits.set(t.tag, counts[key]!);
    }
    return hits;
  }

  it("finds both branches of each if; all taken when f ran with x = 5 and x = 0", function () {
    // f(5), f(0): the first if is reached twice and entered once; the second takes each side once
    const r = statementAndBranchCoverage(
      SOURCE,
      tags,
      ast,
      hitsOf({ "if (x > 1)": 2, "y = 1": 1, "if (x > 2)": 2, "y = 2": 1, "y = 3": 1 }),
    );
    expect(r.branches).to.deep.equal({ hit: 4, found: 4 });
    expect(r.missedBranches).to.deep.equal([]);
    expect(r.statements.hit).to.equal(r.statements.found);
  });

  it("an if always entered misses its false branch (no else: reached as often as entered)", function () {
    // f(5) twice
    const r = statementAndBranchCoverage(
      SOURCE,
      tags,
      ast,
      hitsOf({ "if (x > 1)": 2, "y = 1": 2, "if (x > 2)": 2, "y = 2": 2 }),
    );
    expect(r.branches).to.deep.equal({ hit: 2, found: 4 });
    expect(r.missedBranches).to.deep.equal(["7F", "8F"]);
  });

  it("an if never entered misses its true branch; statements never run are counted as missed", function () {
    // f(0)
    const r = statementAndBranchCoverage(SOURCE, tags, ast, hitsOf({ "if (x > 1)": 1, "if (x > 2)": 1, "y = 3": 1 }));
    expect(r.missedBranches).to.deep.equal(["7T", "8T"]);
    expect(r.statements.found).to.equal(7); // 2 ifs, y = 1, y = 2, y = 3, and the two { } bodies
    expect(r.statements.found - r.statements.hit).to.equal(3); // y = 1, y = 2 and its { } body
  });

  it("reads lcov line records and sums every runner's hit counts", function () {
    const dir = mkdtempSync(path.join(tmpdir(), "kyc-coverage-"));
    for (const [runner, data] of [
      ["solidity", { aa: 2, bb: 1 }],
      ["mocha", { aa: 3 }],
    ] as const) {
      mkdirSync(path.join(dir, "data", runner), { recursive: true });
      writeFileSync(path.join(dir, "data", runner, "x.json"), JSON.stringify(data));
    }
    try {
      expect(Object.fromEntries(readHits(dir))).to.deep.equal({ aa: 5, bb: 1 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const lcov = parseLcov(
      "TN:\nSF:contracts/A.sol\nDA:3,1\nDA:4,0\nLH:1\nLF:2\nend_of_record\nSF:contracts/B.sol\nDA:9,2\n",
    );
    expect(lcov.map((f) => [f.file, [...f.lines]])).to.deep.equal([
      [
        "contracts/A.sol",
        [
          [3, 1],
          [4, 0],
        ],
      ],
      ["contracts/B.sol", [[9, 2]]],
    ]);
    expect(lineRanges([7, 1, 2, 3, 9, 10])).to.equal("1-3, 7, 9-10");
  });

  it("leaves mocks and harnesses out of the totals, and lists them as excluded", function () {
    const file = (name: string, hit: number, found: number): FileCoverage => ({
      file: name,
      lines: { hit, found },
      statements: { hit, found },
      branches: { hit, found },
      missedBranches: [],
      missedLines: [],
    });
    expect(isExcluded("contracts/mocks/RsaGasProbe.sol")).to.equal(true);
    expect(isExcluded("test/contracts/rsa/RsaPkcs1.t.sol")).to.equal(true);
    expect(isExcluded("contracts/KycRegistry.sol")).to.equal(false);
    expect(isExcluded("contracts/zk/AnonProofVerifier.sol")).to.equal(false); // our template: counted
    expect(isExcluded("contracts/examples/AnonAgeGatedAirdrop.sol")).to.equal(false);
    const files = [file("contracts/KycRegistry.sol", 9, 10), file("contracts/mocks/RsaGasProbe.sol", 0, 24)];
    expect(totals(files).lines).to.deep.equal({ hit: 9, found: 10 });
    const text = formatSummary(files);
    expect(text).to.match(/Total \(excluding mocks, harnesses, generated\)\s+90\.00%\s+9\/10/);
    expect(text).to.contain("contracts/mocks/RsaGasProbe.sol (excluded)");
  });
});
