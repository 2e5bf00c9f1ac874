import { memo, useEffect, useMemo, useRef } from 'react';
import { splitBlocks, type BlockSplit } from './blocks';
import { closeOpenMarkers } from './close-open-markers';
import { decorateCodeBlocks } from './highlight';
import { renderMarkdown } from './render';

/**
 * Streaming-friendly markdown: finished blocks render once; only the growing last block re-renders. While
 * `streaming`, markers left open at the end of the last block are closed for display; code blocks are highlighted
 * (and get a copy button) once their block is finished.
 */
export const Markdown = memo(function Markdown({ text, className, streaming = false }: { text: string; className?: string; streaming?: boolean }) {
  const previous = useRef<BlockSplit | undefined>(undefined);
  const split = useMemo(() => {
    const next = splitBlocks(text, previous.current);
    previous.current = next;
    return next;
  }, [text]);
  return (
    <div className={className ? `markdown ${className}` : 'markdown'}>
      {split.blocks.map((block, i) => {
        const growing = streaming && i === split.blocks.length - 1;
        return <MarkdownBlock key={i} text={growing ? closeOpenMarkers(block) : block} done={!growing} />;
      })}
    </div>
  );
});

const MarkdownBlock = memo(function MarkdownBlock({ text, done }: { text: string; done: boolean }) {
  const html = useMemo(() => renderMarkdown(text), [text]);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (done && ref.current && html.includes('<pre>')) decorateCodeBlocks(ref.current);
  }, [html, done]);
  return <div ref={ref} className="md-block" dangerouslySetInnerHTML={{ __html: html }} />;
});
