import type { NameSpec } from "./profile.js";

/** Fixed profile strings of the JPKI hierarchy (shared/jpki/FACTS.md). */
export const CA_NAMES: Record<"auth" | "sign", NameSpec> = {
  auth: [
    ["C", "JP"],
    ["O", "JPKI"],
    ["OU", "JPKI for user authentication"],
    ["OU", "Japan Agency for Local Authority Information Systems"],
  ],
  sign: [
    ["C", "JP"],
    ["O", "JPKI"],
    ["OU", "JPKI for digital signature"],
    ["OU", "Japan Agency for Local Authority Information Systems"],
  ],
};

export const CA_SUBJECT_ALT_NAME: NameSpec = [
  ["C", "JP"],
  ["O", "公的個人認証サービス"],
];

export const ISSUER_ALT_NAMES: Record<"auth" | "sign", NameSpec> = {
  auth: [
    ["C", "JP"],
    ["O", "公的個人認証サービス"],
    ["OU", "公的個人認証サービス利用者証明用"],
    ["OU", "地方公共団体情報システム機構"],
  ],
  sign: [
    ["C", "JP"],
    ["O", "公的個人認証サービス"],
    ["OU", "公的個人認証サービス署名用"],
    ["OU", "地方公共団体情報システム機構"],
  ],
};

export const CPS_URI = "http://www.jpki.go.jp/cps.html";
/** Synthetic OCSP responders: `.invalid` so nothing ever resolves. */
export const OCSP_URIS: Record<"auth" | "sign", string> = {
  auth: "http://ocspauth.dev-pki.invalid",
  sign: "http://ocspsign.dev-pki.invalid",
};

/** Obviously fictional municipalities (架空県 = "fictional prefecture", 見本県 = "sample prefecture"). */
export const MUNICIPALITIES = [
  { prefecture: "Kakuu-ken", city: "Tesuto-shi", prefectureJa: "架空県", cityJa: "テスト市" },
  { prefecture: "Kakuu-ken", city: "Shiken-shi", prefectureJa: "架空県", cityJa: "試験市" },
  { prefecture: "Mihon-ken", city: "Sanpuru-shi", prefectureJa: "見本県", cityJa: "サンプル市" },
] as const;

/** The CRL distribution point directory name of a municipality. */
export function crlDpName(kind: "auth" | "sign", prefecture: string, city: string): NameSpec {
  return [
    ["C", "JP"],
    ["O", "JPKI"],
    ["OU", kind === "auth" ? "JPKI for user authentication" : "JPKI for digital signature"],
    ["OU", "CRL Distribution Points"],
    ["OU", prefecture],
    ["CN", `${city} CRLDP`],
  ];
}

export const FAMILY_NAMES = ["試験", "見本", "架空", "仮名", "検証", "模擬"];
export const GIVEN_NAMES = ["太郎", "花子", "一郎", "次郎", "さくら", "葵", "健太", "陽菜", "翔", "結衣"];
export const STREETS = ["試験町", "見本通", "仮名台", "検証坂"];
