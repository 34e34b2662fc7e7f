// Package listindex keeps the orders the REST APIs page lists by, maintained from the informer
// cache's event handlers, so that a page costs O(log n + page) and no request copies or sorts a
// whole kind.
//
// The indexes hold keys (the object's namespace/name and its sort key), not objects: a handler
// reads each object of a page from the cache on the way out. Each filter a list offers is a
// contiguous range of some order (a type, an owner, a creation-time window), so ranks give
// totals and offsets without walking. Nothing is walked and skipped: Luna's callers see every
// account or only their own (that list needs no index), and the one filter that is not a range
// of the creation order, the tokens of live accounts, is an order of its own; its cost moves to
// the events, where an Account's deletion moves its k Tokens once, O(k log n).
//
// Memory is bounded by the cache: per listed object one key in each of its kind's two orders
// and one map entry (about 370 bytes an Account), plus one entry per live Account for the
// Tokens' owners.
package listindex
