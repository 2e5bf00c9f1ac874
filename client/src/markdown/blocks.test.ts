import { describe, expect, it } from 'vitest';
import { splitBlocks, type BlockSplit } from './blocks';

describe('splitBlocks', () => {
  it('splits paragraphs at blank lines and keeps every character', () => {
    const text = '# Title\nintro line\n\nSecond paragraph.\n\nThird';
    const { blocks } = splitBlocks(text);
    expect(blocks).toEqual(['# Title\nintro line\n\n', 'Second paragraph.\n\n', 'Third']);
    expect(blocks.join('')).toBe(text);
  });

  it('keeps a fenced code block with blank lines inside in one block', () => {
    const text = 'Before\n\n```ts\nconst a = 1;\n\n\nconst b = 2;\n```\n\nAfter';
    expect(splitBlocks(text).blocks).toEqual(['Before\n\n', '```ts\nconst a = 1;\n\n\nconst b = 2;\n```\n\n', 'After']);
  });

  it('keeps an unclosed fence open to the end while streaming', () => {
    expect(splitBlocks('Intro\n\n~~~\ncode\n\nmore code').blocks).toEqual(['Intro\n\n', '~~~\ncode\n\nmore code']);
  });

  it('keeps a loose list and its indented continuations together', () => {
    const text = '1. first\n\n2. second\n\n   still second\n- other\n\nafter the list';
    expect(splitBlocks(text).blocks).toEqual(['1. first\n\n2. second\n\n   still second\n- other\n\n', 'after the list']);
  });

  it('keeps a table in one block', () => {
    const text = '| a | b |\n|---|---|\n| 1 | 2 |\n\nnext';
    expect(splitBlocks(text).blocks).toEqual(['| a | b |\n|---|---|\n| 1 | 2 |\n\n', 'next']);
  });

  it('does not decide on a partial last line', () => {
    // "1" could still become "1. item" and continue the list above.
    expect(splitBlocks('- a\n\n1').blocks).toEqual(['- a\n\n1']);
    expect(splitBlocks('- a\n\n1. b\n').blocks).toEqual(['- a\n\n1. b\n']);
    expect(splitBlocks('- a\n\nText\n').blocks).toEqual(['- a\n\n', 'Text\n']);
  });

  it('rescans only the last block and reuses the finished ones as they are', () => {
    const full = 'Para one.\n\n```\ncode\n\n```\n\n| a |\n|---|\n| 1 |\n\n- x\n\n- y\n\nThe end.';
    let split: BlockSplit | undefined;
    const finished = new Map<number, string>();
    for (let i = 1; i <= full.length; i += 3) {
      split = splitBlocks(full.slice(0, i), split);
      split.blocks.slice(0, -1).forEach((block, index) => {
        // A finished block never changes afterwards.
        if (finished.has(index)) expect(block).toBe(finished.get(index));
        finished.set(index, block);
      });
    }
    split = splitBlocks(full, split);
    expect(split.blocks).toEqual(splitBlocks(full).blocks);
    expect(split.blocks.join('')).toBe(full);
  });

  it('starts over when the text is not a continuation of the previous one', () => {
    const first = splitBlocks('a\n\nb');
    expect(splitBlocks('x\n\ny\n\nz', first).blocks).toEqual(['x\n\n', 'y\n\n', 'z']);
  });
});
