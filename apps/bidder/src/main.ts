// Composition root for the bidder service; filled in by its own issue.
export {};
