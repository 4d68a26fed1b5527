import { describe, expect, it } from 'vitest';
import { ja } from '$i18n/ja';
import { en } from '$i18n/en';
import { COMMAND_ERROR_CODES } from '$lib/ipc';

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();
}

describe('message catalogues', () => {
  it('ja and en have exactly the same keys', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(ja).sort());
  });

  it('no message is empty', () => {
    for (const [key, value] of [...Object.entries(ja), ...Object.entries(en)]) {
      expect(value.trim(), key).not.toBe('');
    }
  });

  it('both languages use the same {placeholders} in each message', () => {
    for (const key of Object.keys(ja) as (keyof typeof ja)[]) {
      expect(placeholders(en[key]), key).toEqual(placeholders(ja[key]));
    }
  });

  it('says every error code Rust sends in both languages', () => {
    for (const code of COMMAND_ERROR_CODES) {
      expect(ja[`error.${code}` as keyof typeof ja], code).toBeTruthy();
      expect(en[`error.${code}` as keyof typeof en], code).toBeTruthy();
    }
  });

  it('has the documented Japanese labels', () => {
    expect(ja['field.id_alias']).toBe('店舗IDエイリアス');
    expect(ja['field.opening_time']).toBe('営業時間-開始');
    expect(ja['field.closing_time']).toBe('営業時間-終了');
    expect(ja['field.pickup_proof']).toBe('集荷時の対応');
    expect(ja['storeType.standalone_store']).toBe('路面店');
    expect(ja['storeType.in_mall_store']).toBe('モール内');
    expect(ja['storeType.consolidation_store']).toBe('ビルイン');
    expect(ja['pickupProof.barcode']).toBe('バーコード読み取り');
    expect(ja['pickupProof.signature']).toBe('サイン');
    expect(ja['pickupProof.selfcheck']).toBe('セルフチェック');
  });
});
