import { describe, expect, it } from "vitest";
import { age, counted, dayLabel, formatDate, formatDateTime, formatNumber } from "./format";

describe("age", () => {
  const now = new Date("2026-11-23T12:00:00Z");
  it("says never when there was no sync", () => expect(age(null, now)).toBe("never synced"));
  it("rounds to the nearest unit", () => {
    expect(age("2026-11-23T11:59:50Z", now)).toBe("just now");
    expect(age("2026-11-23T11:57:00Z", now)).toBe("3 minutes ago");
    expect(age("2026-11-23T11:59:00Z", now)).toBe("1 minute ago");
    expect(age("2026-11-23T09:00:00Z", now)).toBe("3 hours ago");
    expect(age("2026-11-20T12:00:00Z", now)).toBe("3 days ago");
  });
});

describe("numbers and dates in the user's locale", () => {
  it("writes counts with the locale's separators", () => {
    expect(formatNumber(19999, "en-US")).toBe("19,999");
    expect(formatNumber(19999, "de-DE")).toBe("19.999");
    expect(counted(1, "person", "people", "en-US")).toBe("1 person");
    expect(counted(2048, "person", "people", "en-US")).toBe("2,048 people");
  });
  it("writes days and moments, and a dash for none", () => {
    expect(formatDate("2026-03-04T12:00:00Z", "en-US")).toBe("Mar 4, 2026");
    expect(formatDate(null)).toBe("—");
    expect(formatDate("not a date")).toBe("—");
    expect(formatDateTime("2026-03-04T12:00:00Z", "en-US")).toMatch(/^Mar 4, 2026, \d{1,2}:\d{2}/);
    expect(dayLabel("2026-03-01", "en-US")).toBe("Mar 1");
  });
});
