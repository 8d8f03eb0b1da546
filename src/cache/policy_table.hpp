// Internal building blocks of the policies: a flat key -> slot index, and intrusive doubly
// linked lists and free lists threaded through a fixed array of nodes. Nothing here allocates after
// construction, so a policy's hit path never allocates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace fastbreak::cache::detail {

inline constexpr uint32_t kNil = UINT32_MAX;

// A strong 64-bit mix (murmur3's finalizer): used where the bits of the key must look random,
// e.g. to pick the sampled part of the key space.
inline uint64_t MixKey(uint64_t key) {
  key ^= key >> 33;
  key *= 0xff51afd7ed558ccdULL;
  key ^= key >> 33;
  key *= 0xc4ceb9fe1a85ec53ULL;
  key ^= key >> 33;
  return key;
}

// Maps a 64-bit key to a uint32 slot of the owner's node array. Open addressing with linear
// probing and backward-shift deletion (no tombstones), at a load factor of at most 2/3 for
// `max_entries` keys. A bucket holds a 32-bit fingerprint of the key and the slot (8 bytes);
// the key itself is read from the owner's node to confirm a match, so the index costs 12-24
// bytes per key.
class KeyIndex {
 public:
  explicit KeyIndex(size_t max_entries);

  // The slot of `key`, or kNil. `key_of(slot)` returns the key stored at a slot.
  template <typename KeyOf>
  uint32_t Find(uint64_t key, const KeyOf& key_of) const {
    const uint32_t fingerprint = Fingerprint(key);
    for (size_t i = Home(fingerprint);; i = (i + 1) & mask_) {
      const Bucket& bucket = buckets_[i];
      if (bucket.slot == kNil) return kNil;
      if (bucket.fingerprint == fingerprint && key_of(bucket.slot) == key) return bucket.slot;
    }
  }
  // REQUIRES: `key` absent and fewer than max_entries keys present.
  void Insert(uint64_t key, uint32_t slot);
  // Removes the entry of `key`, which maps to `slot`. Returns false when there is none.
  bool Erase(uint64_t key, uint32_t slot);
  void Clear();
  size_t bytes() const { return buckets_.size() * sizeof(Bucket); }

 private:
  struct Bucket {
    uint32_t fingerprint = 0;
    uint32_t slot = kNil;
  };

  // The top 32 bits of a multiplicative (Fibonacci) hash; the home bucket is its top bits.
  static uint32_t Fingerprint(uint64_t key) {
    return static_cast<uint32_t>((key * 0x9E3779B97F4A7C15ULL) >> 32);
  }
  size_t Home(uint32_t fingerprint) const { return fingerprint >> shift_; }

  std::vector<Bucket> buckets_;
  size_t mask_ = 0;
  int shift_ = 0;
};

// Prev/next links of one list membership, as slot indices.
struct Links {
  uint32_t prev = kNil;
  uint32_t next = kNil;
};

// A circular doubly linked list through `Node::*kLinks` of nodes in a caller-owned array; the
// list's sentinel is the node at index `head`. The front is the most recent end.
template <typename Node, Links Node::*kLinks>
class List {
 public:
  List() = default;
  List(Node* nodes, uint32_t head) : nodes_(nodes), head_(head) { Reset(); }

  // Points the list at `nodes` (a copy of the array it was built over).
  void Rebind(Node* nodes) { nodes_ = nodes; }
  void Reset() {
    L(head_) = Links{head_, head_};
    size_ = 0;
  }
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  uint32_t front() const { return size_ == 0 ? kNil : L(head_).next; }
  uint32_t back() const { return size_ == 0 ? kNil : L(head_).prev; }
  // The next node towards the back, or kNil at the end.
  uint32_t after(uint32_t slot) const {
    const uint32_t next = L(slot).next;
    return next == head_ ? kNil : next;
  }
  // The next node towards the front, or kNil at the front.
  uint32_t before(uint32_t slot) const {
    const uint32_t prev = L(slot).prev;
    return prev == head_ ? kNil : prev;
  }

  void PushFront(uint32_t slot) { InsertAfter(head_, slot); }
  void PushBack(uint32_t slot) { InsertAfter(L(head_).prev, slot); }
  void Unlink(uint32_t slot) {
    Links& links = L(slot);
    L(links.prev).next = links.next;
    L(links.next).prev = links.prev;
    links = Links{};
    --size_;
  }
  void MoveToFront(uint32_t slot) {
    if (L(head_).next == slot) return;
    Unlink(slot);
    PushFront(slot);
  }
  uint32_t PopBack() {
    const uint32_t slot = back();
    if (slot != kNil) Unlink(slot);
    return slot;
  }
  bool Linked(uint32_t slot) const { return L(slot).prev != kNil; }

 private:
  Links& L(uint32_t slot) { return nodes_[slot].*kLinks; }
  const Links& L(uint32_t slot) const { return nodes_[slot].*kLinks; }
  void InsertAfter(uint32_t at, uint32_t slot) {
    const uint32_t next = L(at).next;
    L(slot) = Links{at, next};
    L(next).prev = slot;
    L(at).next = slot;
    ++size_;
  }

  Node* nodes_ = nullptr;
  uint32_t head_ = kNil;
  size_t size_ = 0;
};

// The free nodes of an array, chained through `Node::*kLinks` (no memory of its own). A taken
// node's links are reset (unlinked).
template <typename Node, Links Node::*kLinks>
class FreeList {
 public:
  FreeList() = default;
  // Nodes [0, count) of `nodes` are managed.
  FreeList(Node* nodes, uint32_t count) : nodes_(nodes), count_(count) { Reset(); }

  void Rebind(Node* nodes) { nodes_ = nodes; }
  // Every node free.
  void Reset() {
    for (uint32_t i = 0; i < count_; ++i)
      nodes_[i].*kLinks = Links{kNil, i + 1 < count_ ? i + 1 : kNil};
    head_ = count_ > 0 ? 0 : kNil;
  }
  bool empty() const { return head_ == kNil; }
  uint32_t Take() {
    const uint32_t slot = head_;
    head_ = (nodes_[slot].*kLinks).next;
    nodes_[slot].*kLinks = Links{};
    return slot;
  }
  void Give(uint32_t slot) {
    nodes_[slot].*kLinks = Links{kNil, head_};
    head_ = slot;
  }

 private:
  Node* nodes_ = nullptr;
  uint32_t count_ = 0;
  uint32_t head_ = kNil;
};

}  // namespace fastbreak::cache::detail
