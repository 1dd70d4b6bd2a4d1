import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IncrementalDecoder, StopMatcher, streamText, type StreamResult } from '../../src/generate/stream.js';
import { ByteTokenizer, ScriptedModel, textModel } from './fakes.js';

async function collect(gen: AsyncGenerator<string, StreamResult>): Promise<[string[], StreamResult]> {
  const deltas: string[] = [];
  for (;;) {
    const r = await gen.next();
    if (r.done) return [deltas, r.value];
    deltas.push(r.value);
  }
}

describe('streamText', () => {
  it('never splits a UTF-8 character across deltas when tokens are single bytes', async () => {
    const text = 'héllo 世界 😀!';
    const [deltas, result] = await collect(streamText(textModel(text), [], { maxTokens: 100 }));
    assert.equal(deltas.join(''), text);
    for (const d of deltas) assert.ok(!d.includes('\uFFFD'), `delta ${JSON.stringify(d)} splits a character`);
    assert.ok(deltas.includes('😀'));
    assert.equal(result.finishReason, 'stop');
    assert.equal(result.completionTokens, Buffer.byteLength(text));
  });

  it('reports length when the token limit is reached', async () => {
    const [deltas, result] = await collect(streamText(textModel('abcdef'), [], { maxTokens: 3 }));
    assert.equal(deltas.join(''), 'abc');
    assert.deepEqual(result, { finishReason: 'length', completionTokens: 3, text: 'abc' });
  });

  it('ends at a stop string that spans tokens and does not emit it', async () => {
    const [deltas, result] = await collect(
      streamText(textModel('one two\nUser: three'), [], { stop: ['\nUser:'], maxTokens: 100 }),
    );
    assert.equal(deltas.join(''), 'one two');
    assert.equal(result.finishReason, 'stop');
    assert.equal(result.text, 'one two');
  });

  it('emits text held back as a possible stop prefix when the stop never comes', async () => {
    const [deltas] = await collect(streamText(textModel('a Us b U'), [], { stop: ['User'], maxTokens: 100 }));
    assert.equal(deltas.join(''), 'a Us b U');
  });

  it('handles a hundred stop strings, the earliest match winning', async () => {
    const stops = Array.from({ length: 99 }, (_, i) => `never${i}`).concat(['cat']);
    const [deltas, result] = await collect(
      streamText(textModel('the cat sat'), [], { stop: stops, maxTokens: 100 }),
    );
    assert.equal(deltas.join(''), 'the ');
    assert.equal(result.finishReason, 'stop');
  });

  it('ends at a stop token, counting it', async () => {
    const tok = new ByteTokenizer(['<|end|>']);
    const end = tok.tokenToId('<|end|>') as number;
    const model = new ScriptedModel(tok, [...tok.encode('hi'), end, ...tok.encode('more')]);
    const [deltas, result] = await collect(streamText(model, [], { stopTokens: [end], maxTokens: 50 }));
    assert.equal(deltas.join(''), 'hi');
    assert.equal(result.finishReason, 'stop');
    assert.equal(result.completionTokens, 3);
  });

  it('stops between tokens when its signal aborts', async () => {
    const controller = new AbortController();
    const gen = streamText(textModel('x'.repeat(1000)), [], { signal: controller.signal, maxTokens: 1000 });
    const first = await gen.next();
    assert.equal(first.value, 'x');
    controller.abort();
    const [rest, result] = await collect(gen);
    assert.ok(rest.length <= 1);
    assert.equal(result.finishReason, 'cancelled');
    assert.ok(result.completionTokens < 5);
  });

  it('passes the prompt to the model', async () => {
    const model = textModel('ok');
    await collect(streamText(model, [1, 2, 3], {}));
    assert.deepEqual(model.prompts, [[1, 2, 3]]);
  });
});

describe('IncrementalDecoder', () => {
  it('spaces the first word after its context as a whole decode would', () => {
    const words = ['the', 'jury', 'said'];
    const tokenizer = {
      kind: 'word',
      vocabSize: 3,
      special: {},
      encode: () => [],
      decode: (ids: readonly number[]) => ids.map((i) => words[i]).join(' '),
      idToToken: (i: number) => words[i],
      tokenToId: (t: string) => words.indexOf(t),
    };
    const d = new IncrementalDecoder({ tokenizer }, [0]);
    assert.equal(d.push(1), ' jury');
    assert.equal(d.push(2), ' said');
    const fresh = new IncrementalDecoder({ tokenizer }, []);
    assert.equal(fresh.push(1), 'jury');
  });

  it('flushes an incomplete character at the end', () => {
    const d = new IncrementalDecoder({ tokenizer: new ByteTokenizer() }, []);
    assert.equal(d.push(0xe4), '');
    assert.equal(d.flush(), '\uFFFD');
  });
});

describe('StopMatcher', () => {
  it('holds back only the part that could begin a stop string', () => {
    const m = new StopMatcher(['</end>']);
    assert.deepEqual(m.push('abc</e'), { text: 'abc', stopped: false });
    assert.deepEqual(m.push('xy'), { text: '</exy', stopped: false });
    assert.deepEqual(m.push('z</en'), { text: 'z', stopped: false });
    assert.deepEqual(m.push('d> tail'), { text: '', stopped: true });
  });
});
