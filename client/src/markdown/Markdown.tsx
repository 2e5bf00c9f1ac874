import { memo, useMemo, useRef } from 'react';
import { splitBlocks, type BlockSplit } from './blocks';
import { renderMarkdown } from './render';

/** Streaming-friendly markdown: finished blocks render once; only the growing last block re-renders. */
export const Markdown = memo(function Markdown({ text, className }: { text: string; className?: string }) {
  const previous = useRef<BlockSplit | undefined>(undefined);
  const split = useMemo(() => {
    const next = splitBlocks(text, previous.current);
    previous.current = next;
    return next;
  }, [text]);
  return (
    <div className={className ? `markdown ${className}` : 'markdown'}>
      {split.blocks.map((block, i) => (
        <MarkdownBlock key={i} text={block} />
      ))}
    </div>
  );
});

const MarkdownBlock = memo(function MarkdownBlock({ text }: { text: string }) {
  const html = useMemo(() => renderMarkdown(text), [text]);
  return <div className="md-block" dangerouslySetInnerHTML={{ __html: html }} />;
});
