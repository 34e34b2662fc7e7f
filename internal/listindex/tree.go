package listindex

import "math/rand/v2"

// Tree is an ordered set with ranks (an order-statistic treap): Insert, Delete and Rank cost
// O(log n) expected, Ascend O(log n) plus one step per key. google/btree, which the module
// already has, keeps no subtree sizes and so cannot tell a rank without walking. Priorities are
// random, not derived from keys, so no choice of keys degrades the shape. Not safe for
// concurrent use: the indexes guard their trees.
type Tree[K any] struct {
	cmp  func(a, b K) int
	root *node[K]
}

// node's size and prio are 32 bits each: an index holds a few nodes per object, and with
// 72-byte keys that keeps a node at 96 bytes instead of 112. Four billion keys is beyond any
// cache, and equal priorities only cost balance, never order.
type node[K any] struct {
	key         K
	left, right *node[K]
	size        uint32 // keys in this subtree
	prio        uint32
}

// NewTree makes an empty tree ordered by cmp, which must be a total order.
func NewTree[K any](cmp func(a, b K) int) *Tree[K] { return &Tree[K]{cmp: cmp} }

func size[K any](n *node[K]) int {
	if n == nil {
		return 0
	}
	return int(n.size)
}

func (n *node[K]) fix() { n.size = uint32(1 + size(n.left) + size(n.right)) }

// Len is the number of keys.
func (t *Tree[K]) Len() int { return size(t.root) }

// Has reports whether k is in the tree.
func (t *Tree[K]) Has(k K) bool {
	for n := t.root; n != nil; {
		switch c := t.cmp(k, n.key); {
		case c < 0:
			n = n.left
		case c > 0:
			n = n.right
		default:
			return true
		}
	}
	return false
}

// Insert adds k and reports whether it was absent.
func (t *Tree[K]) Insert(k K) bool {
	if t.Has(k) {
		return false
	}
	t.root = t.insert(t.root, &node[K]{key: k, size: 1, prio: rand.Uint32()})
	return true
}

func (t *Tree[K]) insert(n, nn *node[K]) *node[K] {
	if n == nil {
		return nn
	}
	if nn.prio > n.prio {
		nn.left, nn.right = t.split(n, nn.key)
		nn.fix()
		return nn
	}
	if t.cmp(nn.key, n.key) < 0 {
		n.left = t.insert(n.left, nn)
	} else {
		n.right = t.insert(n.right, nn)
	}
	n.fix()
	return n
}

// split divides n into the keys below k and the rest.
func (t *Tree[K]) split(n *node[K], k K) (below, rest *node[K]) {
	if n == nil {
		return nil, nil
	}
	if t.cmp(n.key, k) < 0 {
		n.right, rest = t.split(n.right, k)
		n.fix()
		return n, rest
	}
	below, n.left = t.split(n.left, k)
	n.fix()
	return below, n
}

// merge joins two trees, every key of a below every key of b.
func merge[K any](a, b *node[K]) *node[K] {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case a.prio > b.prio:
		a.right = merge(a.right, b)
		a.fix()
		return a
	default:
		b.left = merge(a, b.left)
		b.fix()
		return b
	}
}

// Delete removes k and reports whether it was present.
func (t *Tree[K]) Delete(k K) bool {
	if !t.Has(k) {
		return false
	}
	t.root = t.delete(t.root, k)
	return true
}

func (t *Tree[K]) delete(n *node[K], k K) *node[K] {
	switch c := t.cmp(k, n.key); {
	case c < 0:
		n.left = t.delete(n.left, k)
	case c > 0:
		n.right = t.delete(n.right, k)
	default:
		return merge(n.left, n.right)
	}
	n.fix()
	return n
}

// Rank is how many keys satisfy below, which must hold for a prefix of the order (every key
// below a key it holds for): the position of the first key it does not hold for.
func (t *Tree[K]) Rank(below func(K) bool) int {
	r := 0
	for n := t.root; n != nil; {
		if below(n.key) {
			r += size(n.left) + 1
			n = n.right
		} else {
			n = n.left
		}
	}
	return r
}

// Ascend calls yield with the keys from position from (0 is the least) in order, until yield
// returns false or the keys run out.
func (t *Tree[K]) Ascend(from int, yield func(K) bool) {
	if from < 0 {
		from = 0
	}
	// stack holds, top first, the next keys in order whose right subtrees are still to walk.
	stack := make([]*node[K], 0, 64)
	for n := t.root; n != nil; {
		switch left := size(n.left); {
		case from < left:
			stack = append(stack, n)
			n = n.left
		case from == left:
			stack = append(stack, n)
			n = nil
		default:
			from -= left + 1
			n = n.right
		}
	}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if !yield(n.key) {
			return
		}
		for m := n.right; m != nil; m = m.left {
			stack = append(stack, m)
		}
	}
}
