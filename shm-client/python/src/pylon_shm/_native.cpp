// pylon_shm._native: the header-only C++ client (shm-client/include/pylon/shm) exposed to Python.
// Everything protocol-related (seqlock copies, the producer's lease and ring, futex waits) is the
// C++ client's; this file only converts between Python objects and the client's types and turns
// its error values into pylon_shm.PylonError. The Python layer (__init__.py) builds the public API
// on top.
//
// Thread contract: a Reader or Producer object is used by one Python thread at a time (the GIL
// guarantees it while a method holds it; the waits release the GIL, so the object must not be
// shared between threads). Snapshots are immutable once made and may be shared freely.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "pylon/shm/client.hpp"

namespace py = pybind11;
using pylon::shm::Errc;

namespace {

// The weights the daemon stores: finite, 0..1e15. This is the project's one weight rule
// (sidecar/weights/weight_value.hpp: kMaxWeight); it is repeated here because this package builds
// from shm-client/ alone, and the daemon still refuses anything outside it.
constexpr double kMaxWeight = 1e15;

const char* errc_name(Errc e) {
  switch (e) {
    case Errc::ok:
      return "ok";
    case Errc::not_found:
      return "not_found";
    case Errc::permission:
      return "permission";
    case Errc::os_error:
      return "os_error";
    case Errc::bad_magic:
      return "bad_magic";
    case Errc::abi_mismatch:
      return "abi_mismatch";
    case Errc::truncated:
      return "truncated";
    case Errc::corrupt:
      return "corrupt";
    case Errc::no_snapshot:
      return "no_snapshot";
    case Errc::busy:
      return "busy";
    case Errc::retired:
      return "retired";
    case Errc::not_live:
      return "not_live";
    case Errc::out_of_range:
      return "out_of_range";
    case Errc::no_such_neuron:
      return "no_such_neuron";
    case Errc::full:
      return "full";
    case Errc::no_free_slot:
      return "no_free_slot";
    case Errc::lease_lost:
      return "lease_lost";
    case Errc::timeout:
      return "timeout";
    case Errc::invalid_argument:
      return "invalid_argument";
    case Errc::no_memory:
      return "no_memory";
  }
  return "unknown";
}

// Raises pylon_shm.PylonError(errc_name, message).
[[noreturn]] void raise(Errc code, const std::string& message) {
  py::object cls = py::module_::import("pylon_shm._errors").attr("PylonError");
  py::object err = cls(errc_name(code), message);
  PyErr_SetObject(cls.ptr(), err.ptr());
  throw py::error_already_set();
}
[[noreturn]] void raise(const pylon::shm::ShmError& e) {
  raise(e.code, e.message);
}

std::chrono::nanoseconds seconds_to_ns(double seconds) {
  if (std::isnan(seconds) || seconds < 0)
    raise(Errc::invalid_argument, "timeout must be a number of seconds >= 0");
  if (seconds > 1e9) seconds = 1e9;
  return std::chrono::nanoseconds(static_cast<std::int64_t>(seconds * 1e9));
}

py::bytes bytes_of(const std::uint8_t* p, std::size_t n) {
  return py::bytes(reinterpret_cast<const char*>(p), n);
}

// One consistent snapshot, copied out of the segment by SnapshotReader::copy. Python sees its
// neuron table through the buffer protocol (numpy.frombuffer keeps this object alive).
struct NativeSnapshot {
  pylon::shm::Snapshot snap;
};

py::dict hyperparams_dict(const pylon::shm::Hyperparams& h) {
  py::dict d;
#define PYLON_HP(name) d[#name] = h.name
  PYLON_HP(min_difficulty);
  PYLON_HP(max_difficulty);
  PYLON_HP(weights_version);
  PYLON_HP(weights_rate_limit);
  PYLON_HP(min_burn);
  PYLON_HP(max_burn);
  PYLON_HP(bonds_moving_avg);
  PYLON_HP(serving_rate_limit);
  PYLON_HP(adjustment_alpha);
  PYLON_HP(difficulty);
  PYLON_HP(commit_reveal_period);
  PYLON_HP(rho);
  PYLON_HP(kappa);
  PYLON_HP(immunity_period);
  PYLON_HP(min_allowed_weights);
  PYLON_HP(max_weights_limit);
  PYLON_HP(tempo);
  PYLON_HP(adjustment_interval);
  PYLON_HP(activity_cutoff);
  PYLON_HP(target_regs_per_interval);
  PYLON_HP(max_regs_per_block);
  PYLON_HP(max_validators);
  PYLON_HP(alpha_high);
  PYLON_HP(alpha_low);
#undef PYLON_HP
  d["registration_allowed"] = h.registration_allowed != 0;
  d["commit_reveal_weights_enabled"] = h.commit_reveal_weights_enabled != 0;
  d["liquid_alpha_enabled"] = h.liquid_alpha_enabled != 0;
  return d;
}

// A read-only numpy array over n values of a snapshot's memory; `owner` (the NativeSnapshot) stays
// alive while the array does, so the Reader never reuses the buffers under it.
template <class T>
py::array_t<T> column(const T* p, std::size_t n, py::handle owner) {
  py::array_t<T> a({static_cast<py::ssize_t>(n)}, {static_cast<py::ssize_t>(sizeof(T))}, p, owner);
  a.attr("setflags")(py::arg("write") = false);
  return a;
}

// Mechanism m of a snapshot for the Python layer: (exists, emission_share or None, has_fields,
// incentives, last_update); the columns are arrays for m >= 1 with fields, None otherwise
// (mechanism 0's are the neuron table's own fields).
py::tuple mechanism_tuple(py::object self, std::uint32_t m) {
  const NativeSnapshot& s = self.cast<const NativeSnapshot&>();
  pylon::shm::MechanismView v = s.snap.mechanism(m);
  py::object share =
      v.has_emission_share() ? py::object(py::int_(v.emission_share())) : py::object(py::none());
  py::object incentives = py::none(), last_update = py::none();
  if (m > 0 && v.has_fields()) {
    incentives = column(v.incentives(), v.neuron_count(), self);
    last_update = column(v.last_updates(), v.neuron_count(), self);
  }
  return py::make_tuple(v.exists(), share, v.has_fields(), incentives, last_update);
}

// (name, offset, numpy format) of every NeuronRecord field, from the C++ struct itself, so the
// Python dtype cannot drift from layout.hpp.
py::list neuron_fields() {
  using pylon::shm::NeuronRecord;
  py::list l;
  auto add = [&](const char* name, std::size_t off, const char* fmt) {
    l.append(py::make_tuple(name, off, fmt));
  };
#define PYLON_F(name, fmt) add(#name, offsetof(NeuronRecord, name), fmt)
  PYLON_F(hotkey, "V32");
  PYLON_F(coldkey, "V32");
  PYLON_F(stake, "<u8");
  PYLON_F(emission, "<u8");
  PYLON_F(last_update, "<u8");
  PYLON_F(axon_ip, "V16");
  PYLON_F(axon_version, "<u4");
  PYLON_F(uid, "<u2");
  PYLON_F(rank, "<u2");
  PYLON_F(trust, "<u2");
  PYLON_F(validator_trust, "<u2");
  PYLON_F(consensus, "<u2");
  PYLON_F(incentive, "<u2");
  PYLON_F(dividends, "<u2");
  PYLON_F(pruning_score, "<u2");
  PYLON_F(axon_port, "<u2");
  PYLON_F(validator_permit, "u1");
  PYLON_F(active, "u1");
  PYLON_F(axon_ip_type, "u1");
  PYLON_F(axon_protocol, "u1");
#undef PYLON_F
  return l;
}

class Reader {
 public:
  explicit Reader(const std::string& name) {
    auto r = pylon::shm::SnapshotReader::open(name.c_str());
    if (!r) raise(r.error());
    reader_ = std::move(r).value();
  }

  // The newest snapshot. When it is the one the last call returned (the same block: snapshots are
  // immutable), that object again, after a check of a few atomic words, no copy. Otherwise a copy
  // into the buffers of an earlier snapshot that no Python object holds any more (no allocation,
  // no page faults, no zeroing: warm memory), else into new ones. `fresh` forces the copy (the
  // benchmark measures a new block's cost with it).
  std::shared_ptr<NativeSnapshot> copy(bool fresh) {
    if (last_ && !fresh) {
      pylon::shm::ShmResult<bool> same = reader_.is_newest(last_->snap);
      if (!same) raise(same.error());
      if (*same) return last_;
    }
    std::shared_ptr<NativeSnapshot> out;
    if (spare_ && spare_.use_count() == 1) {  // only this reader holds it: Python dropped it
      out = std::move(spare_);
    } else {
      out = std::make_shared<NativeSnapshot>();
    }
    if (pylon::shm::ShmStatus s = reader_.copy(out->snap); !s) {
      spare_ = std::move(out);
      raise(s.error());
    }
    if (last_) spare_ = std::move(last_);
    last_ = out;
    return out;
  }

  py::dict freshness() {
    auto f = reader_.freshness();
    if (!f) raise(f.error());
    py::dict d;
    d["block_number"] = f->block_number;
    d["block_age_ms"] = f->block_age_ms;
    d["writer_heartbeat_age_ns"] = f->writer_heartbeat_age_ns;
    d["generation"] = f->generation;
    return d;
  }

  std::uint64_t wait_for_block(std::uint64_t after, double timeout_s) {
    const std::chrono::nanoseconds timeout = seconds_to_ns(timeout_s);
    pylon::shm::ShmResult<std::uint64_t> b = pylon::shm::make_shm_error(Errc::invalid_argument, "not waited");
    {
      py::gil_scoped_release nogil;
      b = reader_.wait_for_block(after, timeout);
    }
    if (!b) raise(b.error());
    return *b;
  }

  std::uint64_t generation() const { return reader_.generation(); }
  std::uint64_t heartbeat_age_ns() const { return reader_.heartbeat_age_ns(); }
  std::uint64_t reattach_count() const { return reader_.reattach_count(); }
  std::uint16_t netuid() const { return reader_.geometry().netuid; }

 private:
  pylon::shm::SnapshotReader reader_;
  std::shared_ptr<NativeSnapshot> last_;   // what copy() returned last
  std::shared_ptr<NativeSnapshot> spare_;  // the one before, reused once Python lets go of it
};

// One weight to push: a uid (hotkey empty) or a 32-byte hotkey.
struct Item {
  std::uint16_t uid = 0;
  bool by_hotkey = false;
  std::uint8_t hotkey[32] = {};
  double weight = 0;
};

class Producer {
 public:
  explicit Producer(const std::string& name) {
    auto p = pylon::shm::WeightProducer::open(name.c_str());
    if (!p) raise(p.error());
    producer_ = std::move(p).value();
  }

  // Validates every item, makes room for all of them, then pushes them as `set` entries for
  // `mechanism` (the subnet's mechanism, 0..255; the daemon refuses one the subnet lacks); returns
  // the last sequence number. Nothing is queued when any item is bad. `uid_limit` is the neuron
  // count of the caller's snapshot (uids must be below it). A batch larger than the ring goes in
  // ring-sized parts, each after the previous became durable (within `room_timeout_s`).
  std::uint64_t push(const py::list& items, std::uint32_t uid_limit, double room_timeout_s,
                     long long mechanism) {
    if (mechanism < 0 || mechanism > 255) {
      raise(Errc::invalid_argument,
            "mechanism " + std::to_string(mechanism) + " is out of range: mechanism ids are 0..255");
    }
    const auto mech = static_cast<std::uint8_t>(mechanism);
    std::vector<Item> batch;
    batch.reserve(items.size());
    for (py::handle h : items) {
      auto t = h.cast<py::tuple>();
      if (t.size() != 2) raise(Errc::invalid_argument, "each item must be (uid or 32-byte hotkey, weight)");
      Item it;
      py::object key = t[0];
      if (py::isinstance<py::bytes>(key)) {
        std::string k = key.cast<std::string>();
        if (k.size() != 32) raise(Errc::invalid_argument, "a hotkey must be 32 bytes");
        std::memcpy(it.hotkey, k.data(), 32);
        it.by_hotkey = true;
      } else if (py::isinstance<py::int_>(key) && !py::isinstance<py::bool_>(key)) {
        long long uid = key.cast<long long>();
        if (uid < 0 || uid >= static_cast<long long>(uid_limit)) {
          raise(Errc::out_of_range, "uid " + std::to_string(uid) + " is not below the subnet's " +
                                        std::to_string(uid_limit) + " neurons");
        }
        it.uid = static_cast<std::uint16_t>(uid);
      } else {
        raise(Errc::invalid_argument, "a key must be a uid (int) or a hotkey");
      }
      py::object w = t[1];
      if (py::isinstance<py::bool_>(w) || !(py::isinstance<py::float_>(w) || py::isinstance<py::int_>(w))) {
        raise(Errc::invalid_argument, "a weight must be a number");
      }
      it.weight = w.cast<double>();
      // NaN fails both comparisons.
      if (!(it.weight >= 0 && it.weight <= kMaxWeight)) {
        raise(Errc::invalid_argument,
              "weight " + py::str(w).cast<std::string>() + " is not a finite number from 0 to 1e15");
      }
      batch.push_back(it);
    }
    if (batch.empty()) raise(Errc::invalid_argument, "no weights given");

    const std::chrono::nanoseconds room_timeout = seconds_to_ns(room_timeout_s);
    const std::uint64_t cap = producer_.capacity();
    std::uint64_t last = producer_.last_seq();
    std::size_t i = 0;
    while (i < batch.size()) {
      // Room for the next part: the ring holds entries until they are durable.
      const std::uint64_t part = std::min<std::uint64_t>(cap, batch.size() - i);
      const std::uint64_t head = producer_.last_seq();
      if (head + part > producer_.durable() + cap) {
        pylon::shm::ShmStatus s;
        {
          py::gil_scoped_release nogil;
          s = producer_.wait_durable(head + part - cap, room_timeout);
        }
        if (!s) raise(s.error());
      }
      for (std::uint64_t k = 0; k < part; ++k, ++i) {
        const Item& it = batch[i];
        auto seq = it.by_hotkey ? producer_.push_hotkey(it.hotkey, it.weight, pylon::shm::WeightOp::set, mech)
                                : producer_.push_uid(it.uid, it.weight, pylon::shm::WeightOp::set, mech);
        if (!seq) raise(seq.error());
        last = *seq;
      }
    }
    return last;
  }

  void wait_durable(std::uint64_t seq, double timeout_s) {
    const std::chrono::nanoseconds timeout = seconds_to_ns(timeout_s);
    pylon::shm::ShmStatus s;
    {
      py::gil_scoped_release nogil;
      s = producer_.wait_durable(seq, timeout);
    }
    if (!s) raise(s.error());
  }

  void heartbeat() {
    if (pylon::shm::ShmStatus s = producer_.heartbeat(); !s) raise(s.error());
  }
  std::uint64_t last_seq() const { return producer_.last_seq(); }
  std::uint64_t durable() const { return producer_.durable(); }
  std::uint32_t capacity() const { return producer_.capacity(); }
  std::uint64_t generation() const { return producer_.generation(); }
  void close() { producer_.release(); }

 private:
  pylon::shm::WeightProducer producer_;
};

}  // namespace

PYBIND11_MODULE(_native, m) {
  m.doc() = "Pylon's shared-memory client (the header-only C++ client, compiled)";
  m.attr("NEURON_RECORD_SIZE") = sizeof(pylon::shm::NeuronRecord);
  m.attr("SNAPSHOT_ABI_VERSION") = pylon::shm::kAbiVersion;
  m.attr("QUEUE_ABI_VERSION") = pylon::shm::kQueueAbiVersion;
  m.attr("MAX_WEIGHT") = kMaxWeight;
  m.def("neuron_fields", &neuron_fields, "(name, offset, numpy format) of every NeuronRecord field");

  py::class_<NativeSnapshot, std::shared_ptr<NativeSnapshot>>(m, "NativeSnapshot", py::buffer_protocol())
      .def_buffer([](NativeSnapshot& s) {
        // A flat, read-only byte view of the neuron table; numpy applies the record dtype.
        return py::buffer_info(
            const_cast<pylon::shm::NeuronRecord*>(s.snap.neurons()), 1,
            py::format_descriptor<std::uint8_t>::format(), 1,
            {static_cast<py::ssize_t>(s.snap.neuron_count() * sizeof(pylon::shm::NeuronRecord))},
            {static_cast<py::ssize_t>(1)}, /*readonly=*/true);
      })
      .def_property_readonly("block", [](const NativeSnapshot& s) { return s.snap.block_number(); })
      .def_property_readonly("block_hash",
                             [](const NativeSnapshot& s) { return bytes_of(s.snap.block_hash(), 32); })
      .def_property_readonly("timestamp_ms", [](const NativeSnapshot& s) { return s.snap.timestamp_ms(); })
      .def_property_readonly("generation", [](const NativeSnapshot& s) { return s.snap.generation(); })
      .def_property_readonly("neuron_count", [](const NativeSnapshot& s) { return s.snap.neuron_count(); })
      .def("hyperparams", [](const NativeSnapshot& s) { return hyperparams_dict(s.snap.hyperparams()); })
      .def_property_readonly("mechanism_count",
                             [](const NativeSnapshot& s) { return s.snap.mechanism_count(); })
      .def("mechanism", &mechanism_tuple, py::arg("mechanism"))
      .def("commitments",
           [](const NativeSnapshot& s) {
             py::list l;
             for (std::size_t i = 0; i < s.snap.commitment_count(); ++i) {
               pylon::shm::CommitmentView c = s.snap.commitment(i);
               l.append(py::make_tuple(bytes_of(c.hotkey, 32), bytes_of(c.data, c.size), c.block));
             }
             return l;
           })
      .def("find", [](const NativeSnapshot& s, const py::bytes& hotkey) -> py::object {
        std::string k = hotkey;
        if (k.size() != 32) raise(Errc::invalid_argument, "a hotkey must be 32 bytes");
        const pylon::shm::NeuronRecord* r = s.snap.find(reinterpret_cast<const std::uint8_t*>(k.data()));
        if (r == nullptr) return py::none();
        return py::int_(static_cast<std::size_t>(r - s.snap.neurons()));
      });

  py::class_<Reader>(m, "Reader")
      .def(py::init<const std::string&>(), py::arg("name"))
      .def("copy", &Reader::copy, py::arg("fresh") = false)
      .def("freshness", &Reader::freshness)
      .def("wait_for_block", &Reader::wait_for_block, py::arg("after"), py::arg("timeout"))
      .def_property_readonly("generation", &Reader::generation)
      .def_property_readonly("heartbeat_age_ns", &Reader::heartbeat_age_ns)
      .def_property_readonly("reattach_count", &Reader::reattach_count)
      .def_property_readonly("netuid", &Reader::netuid);

  py::class_<Producer>(m, "Producer")
      .def(py::init<const std::string&>(), py::arg("name"))
      .def("push", &Producer::push, py::arg("items"), py::arg("uid_limit"), py::arg("room_timeout"),
           py::arg("mechanism") = 0)
      .def("wait_durable", &Producer::wait_durable, py::arg("seq"), py::arg("timeout"))
      .def("heartbeat", &Producer::heartbeat)
      .def("close", &Producer::close)
      .def_property_readonly("last_seq", &Producer::last_seq)
      .def_property_readonly("durable", &Producer::durable)
      .def_property_readonly("capacity", &Producer::capacity)
      .def_property_readonly("generation", &Producer::generation);
}
