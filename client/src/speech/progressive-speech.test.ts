import { describe, expect, it } from 'vitest';
import { plainText, ProgressiveSpeech, speakableChunks, type Synth } from './progressive-speech';

class FakeSynth implements Synth {
  spoken: SpeechSynthesisUtterance[] = [];
  cancels = 0;
  speak(u: SpeechSynthesisUtterance) {
    this.spoken.push(u);
  }
  cancel() {
    this.cancels++;
  }
}

const utter = (text: string) => ({ text }) as SpeechSynthesisUtterance;

describe('ProgressiveSpeech', () => {
  it('speaks each sentence once it is complete, while the rest still streams', () => {
    const synth = new FakeSynth();
    const reader = new ProgressiveSpeech(synth, utter);
    reader.start('The sky is', false);
    expect(synth.spoken).toEqual([]);
    reader.feed('The sky is blue. Light scat', false);
    expect(synth.spoken.map((u) => u.text)).toEqual(['The sky is blue.']);
    reader.feed('The sky is blue. Light scatters!', false);
    // No whitespace after "!" yet: the sentence may go on.
    expect(synth.spoken.map((u) => u.text)).toEqual(['The sky is blue.']);
    reader.feed('The sky is blue. Light scatters! Short waves most', true);
    expect(synth.spoken.map((u) => u.text)).toEqual(['The sky is blue.', 'Light scatters!', 'Short waves most']);
  });

  it('reads no markdown syntax and skips code blocks, waiting for an unclosed one', () => {
    const synth = new FakeSynth();
    const reader = new ProgressiveSpeech(synth, utter);
    reader.start('## Why\n\n**Rayleigh** scattering, see [the paper](https://example.com/x).\n```js\nconst x = 1;\n', false);
    expect(synth.spoken.map((u) => u.text)).toEqual(['Why', 'Rayleigh scattering, see the paper.']);
    reader.feed('## Why\n\n**Rayleigh** scattering, see [the paper](https://example.com/x).\n```js\nconst x = 1;\n```\n- *Blue* wins.\n', true);
    expect(synth.spoken.map((u) => u.text)).toEqual(['Why', 'Rayleigh scattering, see the paper.', 'Blue wins.']);
  });

  it('stops at once: cancels speech and speaks nothing more; ends by itself when the last sentence was spoken', () => {
    const synth = new FakeSynth();
    let ended = 0;
    const reader = new ProgressiveSpeech(synth, utter, () => ended++);
    reader.start('One. Two. ', false);
    reader.stop();
    expect(synth.cancels).toBe(2);
    reader.feed('One. Two. Three. ', true);
    expect(synth.spoken).toHaveLength(2);
    expect(reader.active).toBe(false);

    reader.start('Only one.', true);
    expect(reader.active).toBe(true);
    synth.spoken.at(-1)!.onend!({} as SpeechSynthesisEvent);
    expect(ended).toBe(1);
    expect(reader.active).toBe(false);
  });
});

describe('speech text', () => {
  it('keeps words, drops syntax', () => {
    expect(plainText('> **Note**: use `npm test` and __not__ ~~this~~.')).toBe('Note: use npm test and not this.');
    expect(plainText('| a | b |')).toBe('a b');
    expect(plainText('---')).toBe('');
    expect(plainText('snake_case stays, *stars* go')).toBe('snake_case stays, stars go');
  });

  it('splits at sentence ends followed by whitespace and at line breaks', () => {
    expect(speakableChunks('One. Two? Three', false)).toEqual({ chunks: ['One. ', 'Two? '], consumed: 10 });
    expect(speakableChunks('# Title\n1. item', false)).toEqual({ chunks: ['# Title\n'], consumed: 8 });
  });
});
