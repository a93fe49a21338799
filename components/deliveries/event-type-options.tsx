import { EVENT_CATEGORIES, type EventCategory } from "@/lib/webhooks/event-types";

/** The <option>s of an event-type <select>, grouped by the catalog's categories. */
export function EventTypeOptions({ types }: { types: readonly { type: string; category: EventCategory }[] }) {
  return EVENT_CATEGORIES.map((category) => (
    <optgroup key={category} label={category}>
      {types
        .filter((t) => t.category === category)
        .map((t) => (
          <option key={t.type} value={t.type}>
            {t.type}
          </option>
        ))}
    </optgroup>
  ));
}
