import { Claim } from "../claims.js";

/** One claim as the holder page explains it, in Japanese and English. */
export interface ClaimText {
  readonly bit: number;
  readonly key: "auth" | "identity" | "age18" | "age20";
  readonly ja: string;
  readonly en: string;
  /** Whether the claim needs the signing certificate (and its password). */
  readonly needsSigningCertificate: boolean;
}

/** What each claim bit publishes on chain, in plain words. */
export const CLAIM_TEXTS: readonly ClaimText[] = [
  {
    bit: Claim.AUTH,
    key: "auth",
    ja: "有効なマイナンバーカードを持っていること（必ず公開されます）",
    en: "That you hold a valid My Number Card (always published)",
    needsSigningCertificate: false,
  },
  {
    bit: Claim.IDENTITY,
    key: "identity",
    ja: "登録事業者が署名用電子証明書で本人確認を済ませたこと",
    en: "That the operator verified your identity with the signing certificate",
    needsSigningCertificate: true,
  },
  {
    bit: Claim.AGE_18,
    key: "age18",
    ja: "18歳以上であること（生年月日は公開されません）",
    en: "That you are 18 or older (not your date of birth)",
    needsSigningCertificate: true,
  },
  {
    bit: Claim.AGE_20,
    key: "age20",
    ja: "20歳以上であること（生年月日は公開されません）",
    en: "That you are 20 or older (not your date of birth)",
    needsSigningCertificate: true,
  },
];

/** What the page says is never published, and what the operator sees. */
export const PRIVACY_TEXT = {
  neverPublished: {
    ja: "氏名・住所・生年月日・性別・マイナンバー・証明書そのものは、ブロックチェーンに一切書き込まれません。",
    en: "Your name, address, date of birth, gender, My Number and the certificates themselves never go on chain.",
  },
  operatorSees: {
    ja: "署名用電子証明書を使うと、登録事業者はあなたの氏名・住所・生年月日・性別を確認します（法律に基づき記録を保管します）。",
    en: "With the signing certificate, the operator sees your name, address, date of birth and gender (and keeps a record as the law requires).",
  },
  linkable: {
    ja: "カードの公開鍵はブロックチェーンに記録されます。あなたの証明書を既に持っている人は、このアドレスとカードを結びつけられます。",
    en: "The card's public key is recorded on chain: someone who already holds your certificate can link this address to your card.",
  },
  pin: {
    ja: "PINはこのパソコンの中だけでカードに渡され、保存も送信もされません。",
    en: "Your PIN goes only to the card, on this computer; it is neither stored nor sent anywhere.",
  },
} as const;
