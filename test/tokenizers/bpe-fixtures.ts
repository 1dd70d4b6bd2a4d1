/** Test text for byte-level BPE: seeded random strings over every character class, and hand-picked hard cases. */

/** `count` strings (seeded) mixing letters, digits, contractions, whitespace runs, CJK, emoji and lone surrogates. */
export function randomStrings(count: number, seed: number): string[] {
  const pool = [
    ...[' ', ' ', ' ', '  ', '\n', '\n\n', '\t', '\r\n', '\u00a0', '\u3000', '\ufeff', '\u001c', '\u2028'],
    ...['a', 'b', 'Z', 'the', 'é', 'e\u0301', 'ß', 'Ω', 'д', '中', '文', '\u{1D400}', '\u{10400}'],
    ...['1', '9', '2024', '٣', '½', '3.14'],
    ...["'", "'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'x", '’s'],
    ...[
      '!',
      '.',
      ',',
      '-',
      '$',
      '_',
      '@',
      '<|endoftext|>',
      '\u200b',
      '😀',
      '👍🏽',
      '👨‍👩‍👧',
      '❤️',
      '\ud800',
      '\udc00',
    ],
  ];
  let state = seed;
  const rnd = (n: number) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
  return Array.from({ length: count }, () => {
    let s = '';
    for (let k = rnd(24); k > 0; k--) s += pool[rnd(pool.length)];
    return s;
  });
}

/** Hand-picked strings that stress pre-tokenization and merging. */
export const HARD_CASES: readonly string[] = [
  '',
  ' ',
  '     ',
  '\n\n\n',
  ' \t \n  x',
  'trailing spaces   ',
  "I'm sure you'll see they've done what we'd said it's not",
  "DON'T SHOUT, Y'ALL'RE 'quoted' rock'n'roll",
  '3.14159 2,718 1e10 0x1F 1000000 ½ ⅓ ٣٤٥ 一二三',
  '床前明月光，疑是地上霜。举头望明月，低头思故乡。',
  '中文和English混合mixed，標點符號！？「」',
  '😀😃😄 👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 ❤️‍🔥 🇫🇷',
  'naïve café résumé coöperate Ångström façade',
  'e\u0301 a\u0300\u0301 combining marks',
  'Привет мир, Γειά σου κόσμε, שלום עולם, مرحبا بالعالم',
  'function f(x) {\n\treturn x ** 2; // square\n}\n',
  '    indented();\n        more();\n',
  'tabs\tand\ttabs\t\t\tmany',
  'a\u00a0b\u2003c\u3000d\ufeffe',
  'lone \ud800 high and \udfff low surrogates',
  'x'.repeat(400),
  ' '.repeat(300) + 'end',
  '中'.repeat(150),
  '<|endoftext|>',
  'text<|endoftext|>more <|endoftext|> text',
];
