import { useEffect, useState } from 'react';

/**
 * Whether elements are on screen: within the conversation's scrolled view (or the window), give or take a tenth of a
 * screen, so what is about to scroll in is current a frame before it shows. A wider margin keeps more lanes
 * rendering every token for no one to see: with ten runs streaming, half a screen each way cost a tenth of the
 * page's CPU (build/bench/spa-trace.mjs). One IntersectionObserver per scroll root serves every element. Without
 * IntersectionObserver (jsdom) everything counts as on screen.
 */
type Listener = (onScreen: boolean) => void;

const listeners = new Map<Element, Set<Listener>>();
const observers = new Map<Element | null, IntersectionObserver>();
const known = new WeakMap<Element, boolean>();

function observerFor(root: Element | null): IntersectionObserver {
  let observer = observers.get(root);
  if (!observer) {
    observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          known.set(entry.target, entry.isIntersecting);
          for (const listener of [...(listeners.get(entry.target) ?? [])]) listener(entry.isIntersecting);
        }
      },
      { root, rootMargin: '10% 0px' },
    );
    observers.set(root, observer);
  }
  return observer;
}

/** On screen by the last report, or undefined before the first one. */
export function onScreenNow(el: Element): boolean | undefined {
  if (typeof IntersectionObserver === 'undefined') return true;
  return known.get(el);
}

/** Calls `listener` each time `el` comes on or goes off screen; returns the unsubscribe. */
export function watchOnScreen(el: Element, listener: Listener): () => void {
  if (typeof IntersectionObserver === 'undefined') return () => {};
  const observer = observerFor(el.closest('.conversation'));
  let set = listeners.get(el);
  if (!set) {
    set = new Set();
    listeners.set(el, set);
    observer.observe(el);
  }
  set.add(listener);
  return () => {
    set.delete(listener);
    if (set.size > 0) return;
    listeners.delete(el);
    known.delete(el);
    observer.unobserve(el);
  };
}

/** Whether `el` is on screen; true until the first report says otherwise (a new element renders in full). */
export function useOnScreen(el: Element | null): boolean {
  const [onScreen, setOnScreen] = useState(true);
  useEffect(() => (el ? watchOnScreen(el, setOnScreen) : undefined), [el]);
  return onScreen;
}
