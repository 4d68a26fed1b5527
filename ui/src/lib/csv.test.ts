import { describe, expect, it } from 'vitest';
import { BOM, csvField, toCsv } from '$lib/csv';

describe('CSV export', () => {
  it('starts with a UTF-8 BOM and ends lines with CRLF', () => {
    const text = toCsv(['追跡番号', '顧客'], [['123456789012', '吉沢 健二']]);
    expect(text.startsWith(BOM)).toBe(true);
    expect(text).toBe(`${BOM}追跡番号,顧客\r\n123456789012,吉沢 健二\r\n`);
    expect(Array.from(new TextEncoder().encode(text).slice(0, 3))).toEqual([0xef, 0xbb, 0xbf]);
  });

  it('quotes commas, quotes, line breaks and edge spaces (RFC 4180)', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('2行目\nあり')).toBe('"2行目\nあり"');
    expect(csvField('cr\r\nlf')).toBe('"cr\r\nlf"');
    expect(csvField(' lead')).toBe('" lead"');
    expect(csvField('plain')).toBe('plain');
    expect(csvField(null)).toBe('');
    expect(csvField(330)).toBe('330');
  });

  it('keeps a field with a newline as one record when read back', () => {
    const text = toCsv(['a', 'b'], [['x\ny', 'z']]);
    expect(text.split('\r\n')).toEqual([`${BOM}a,b`, '"x\ny",z', '']);
  });
});
