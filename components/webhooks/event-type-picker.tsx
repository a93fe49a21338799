"use client";

import { useEffect, useId, useRef } from "react";
import type { EventTypeSummary } from "@/lib/webhooks/event-types";

/** Event types grouped by category, each category with a select-all checkbox. */
export function EventTypePicker({
  eventTypes,
  selected,
  onChange,
  error,
  disabled = false,
}: {
  eventTypes: EventTypeSummary[];
  selected: ReadonlySet<string>;
  onChange: (next: Set<string>) => void;
  error?: string;
  disabled?: boolean;
}) {
  const id = useId();
  const categories = [...new Set(eventTypes.map((t) => t.category))];
  const toggle = (types: string[], on: boolean) => {
    const next = new Set(selected);
    for (const type of types) {
      if (on) next.add(type);
      else next.delete(type);
    }
    onChange(next);
  };
  return (
    <fieldset aria-describedby={error ? `${id}-error` : `${id}-hint`} aria-invalid={error ? true : undefined}>
      <legend className="text-sm font-medium text-slate-800">Event types</legend>
      <p id={`${id}-hint`} className="text-xs text-slate-500">
        {selected.size} of {eventTypes.length} selected. The endpoint receives only these.
      </p>
      <div className="mt-2 grid gap-3 sm:grid-cols-2">
        {categories.map((category) => {
          const types = eventTypes.filter((t) => t.category === category);
          return (
            <CategoryGroup
              key={category}
              category={category}
              types={types}
              selected={selected}
              disabled={disabled}
              onToggle={toggle}
            />
          );
        })}
      </div>
      {error && (
        <p id={`${id}-error`} role="alert" className="mt-2 text-xs text-red-600">
          {error}
        </p>
      )}
    </fieldset>
  );
}

function CategoryGroup({
  category,
  types,
  selected,
  disabled,
  onToggle,
}: {
  category: string;
  types: EventTypeSummary[];
  selected: ReadonlySet<string>;
  disabled: boolean;
  onToggle: (types: string[], on: boolean) => void;
}) {
  const names = types.map((t) => t.type);
  const count = names.filter((n) => selected.has(n)).length;
  const all = count === names.length;
  const allRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (allRef.current) allRef.current.indeterminate = count > 0 && !all;
  }, [count, all]);
  return (
    <fieldset className="rounded-md border border-slate-200 p-3" data-testid={`category-${category}`}>
      <legend className="sr-only">{category}</legend>
      <label className="flex items-center gap-2 border-b border-slate-100 pb-2 text-sm font-semibold">
        <input
          ref={allRef}
          type="checkbox"
          checked={all}
          disabled={disabled}
          onChange={(e) => onToggle(names, e.target.checked)}
          aria-label={`Select all ${category} events`}
          className="size-4 accent-brand-600"
        />
        {category}
        <span className="ml-auto text-xs font-normal text-slate-500">
          {count}/{names.length}
        </span>
      </label>
      <ul className="mt-2 space-y-2">
        {types.map((t) => (
          <li key={t.type}>
            <label className="flex items-start gap-2 text-sm">
              <input
                type="checkbox"
                name="event_types"
                value={t.type}
                checked={selected.has(t.type)}
                disabled={disabled}
                onChange={(e) => onToggle([t.type], e.target.checked)}
                className="mt-0.5 size-4 accent-brand-600"
              />
              <span>
                <span className="font-mono text-xs font-medium text-slate-900">{t.type}</span>
                <span className="block text-xs text-slate-500">{t.description}</span>
              </span>
            </label>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}
