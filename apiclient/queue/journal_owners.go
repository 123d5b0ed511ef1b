package queue

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// The owner of a job (endpoint, organization, masked token: ~100 bytes)
// is the same for nearly every record, so a record holds a number and the
// journal's "owners" bucket holds each owner once: key the number
// (uvarint), value the owner's JSON. Numbers are never reused.
var bucketOwners = []byte("owners")

type owners struct {
	list []Owner // list[id-1]
	ids  map[Owner]uint64
}

func (j *Journal) loadOwners() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.owners = owners{ids: map[Owner]uint64{}}
	return j.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketOwners).ForEach(func(k, v []byte) error {
			id, n := binary.Uvarint(k)
			var o Owner
			if n <= 0 || id == 0 || json.Unmarshal(v, &o) != nil {
				return fmt.Errorf("unreadable owner record %x", k)
			}
			for uint64(len(j.owners.list)) < id {
				j.owners.list = append(j.owners.list, Owner{})
			}
			j.owners.list[id-1] = o
			j.owners.ids[o] = id
			return nil
		})
	})
}

// owner is the owner numbered id (decodeRecord).
func (j *Journal) owner(id uint64) (Owner, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if id == 0 || id > uint64(len(j.owners.list)) {
		return Owner{}, false
	}
	return j.owners.list[id-1], true
}

func (j *Journal) ownerID(o Owner) uint64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.owners.ids[o]
}

// commitOwners makes the owners a committed transaction added known.
func (j *Journal) commitOwners(added []Owner) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, o := range added {
		j.owners.list = append(j.owners.list, o)
		j.owners.ids[o] = uint64(len(j.owners.list))
	}
}

// txOwners numbers owners inside one write transaction: a new owner is
// written to the bucket in that transaction and known to the journal only
// once it commits.
type txOwners struct {
	j     *Journal
	tx    *bolt.Tx
	added *[]Owner
	err   error
}

func (t *txOwners) ownerID(o Owner) uint64 {
	if id := t.j.ownerID(o); id != 0 {
		return id
	}
	for i, a := range *t.added {
		if a == o {
			return t.base() + uint64(i) + 1
		}
	}
	id := t.base() + uint64(len(*t.added)) + 1
	v, _ := json.Marshal(o)
	if err := t.tx.Bucket(bucketOwners).Put(binary.AppendUvarint(nil, id), v); err != nil && t.err == nil {
		t.err = err
	}
	*t.added = append(*t.added, o)
	return id
}

func (t *txOwners) base() uint64 {
	t.j.mu.Lock()
	defer t.j.mu.Unlock()
	return uint64(len(t.j.owners.list))
}

func (t *txOwners) owner(id uint64) (Owner, bool) { return t.j.owner(id) }
