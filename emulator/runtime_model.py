"""The emulator's serving performance model: how long an LLM container takes to answer, in virtual time.

Modelled, not measured. Per endpoint (one production variant, ``instances`` copies of one container):

- **compiled maximum batch**: the container serves at most ``max_batch`` sequences at once (the Neuron
  containers' compiled ``batch_size``: ``SM_ON_BATCH_SIZE`` / ``MAX_BATCH_SIZE``; on GPU the engine's limit:
  TGI ``MAX_BATCH_SIZE``, vLLM ``SM_VLLM_MAX_NUM_SEQS``); more requests wait in a FIFO queue (queueing);
- **prefill**: a new request's prompt is processed alone, between decode steps, in
  ``prefill_overhead_s + input_tokens x prefill_s_per_token`` (compute bound: 2 x parameters FLOPs per token
  over the devices' bf16 throughput x efficiency); its first token is emitted at the end of its prefill;
- **decode**: each step emits one token for every running sequence and lasts
  ``decode_base_s + batch x decode_per_seq_s`` (memory bound: every weight is read once per step, over the
  devices' bandwidth x efficiency, plus a per-sequence cost for KV-cache reads and sampling);
- **routing**: ``RANDOM`` across instances, "routes each request to a randomly chosen instance"
  (ProductionVariant ``RoutingConfig``,
  https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProductionVariantRoutingConfig.html; infersave
  sets no ``RoutingConfig``; the API reference does not state the default, AWS's launch post of
  ``LEAST_OUTSTANDING_REQUESTS`` presents random routing as the default), drawn from the request's sequence number and the
  seed, so it is the same on every run.

Not modelled: KV-cache memory pressure and preemption, prefix caching, speculative decoding, chunked prefill,
tokenizer time, network latency, cold starts, variance between identical steps. The figures come from
``runtime_model.json`` (hardware datasheets x assumed efficiencies).

:class:`LevelSimulation` is a conservative discrete-event simulation: requests arrive with a virtual send
time and a sequence number (0, 1, 2... in send-time order); the simulation advances only up to the send time
of the last request of the contiguous prefix it has seen, so a request's answer never depends on the order in
which threads delivered them, nor on the machine's speed. Timings are virtual seconds from the level's start.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import deque
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

MODEL_FILE = Path(__file__).with_name("runtime_model.json")
Engine = Literal["vllm", "tgi"]
#: catalog ``accelerator`` -> runtime_model.json accelerator key
_ACCELERATORS = {
    "Inferentia2": "inferentia2",
    "NVIDIA A10G": "a10g",
    "NVIDIA L4": "l4",
    "NVIDIA L40S": "l40s",
    "NVIDIA A100": "a100",
}
_SIZE_IN_ID = re.compile(r"(\d+(?:\.\d+)?)[bB](?![a-zA-Z])")
#: Parameters assumed when the model id names no size (e.g. a path under /opt/ml/model).
DEFAULT_PARAMETERS_BILLION = 8.0


@cache
def _data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    return data


@dataclass(frozen=True)
class ServingModel:
    """The modelled timings of one container (one instance); seconds."""

    engine: Engine
    max_batch: int
    max_sequence_length: int
    prefill_overhead_s: float
    prefill_s_per_token: float
    decode_base_s: float
    decode_per_seq_s: float
    instances: int = 1

    def prefill_s(self, input_tokens: int) -> float:
        """Time to process a prompt of ``input_tokens`` and emit the first token."""
        return self.prefill_overhead_s + input_tokens * self.prefill_s_per_token

    def decode_step_s(self, batch: int) -> float:
        """Time of one decode step with ``batch`` running sequences (one token each)."""
        return self.decode_base_s + batch * self.decode_per_seq_s


def parameters_billion(model_id: str) -> float:
    """The parameter count the model id names (``Qwen/Qwen3-8B`` -> 8.0), else :data:`DEFAULT_PARAMETERS_BILLION`."""
    sizes = _SIZE_IN_ID.findall(model_id.rsplit("/", 1)[-1])
    return float(sizes[-1]) if sizes else DEFAULT_PARAMETERS_BILLION


def hardware_model(
    *,
    engine: Engine,
    accelerator: str,
    devices: float,
    params_billion: float,
    max_batch: int,
    max_sequence_length: int,
    instances: int = 1,
    bytes_per_weight: int = 2,
) -> ServingModel:
    """A :class:`ServingModel` from ``runtime_model.json``: ``devices`` chips or GPUs of ``accelerator`` (the
    catalog's name, e.g. ``Inferentia2``, ``NVIDIA A10G``) serving ``params_billion`` parameters."""
    data = _data()
    spec = data["accelerators"][_ACCELERATORS[accelerator]]
    efficiency = data["efficiency"]
    bandwidth = spec["memory_bandwidth_gb_per_s"] * 1e9 * devices * efficiency["memory_bandwidth"]
    flops = spec["bf16_tflops"] * 1e12 * devices * efficiency["compute"]
    weights_bytes = params_billion * 1e9 * bytes_per_weight
    return ServingModel(
        engine=engine,
        max_batch=max_batch,
        max_sequence_length=max_sequence_length,
        prefill_overhead_s=float(data["prefill_overhead_s"]),
        prefill_s_per_token=2 * params_billion * 1e9 / flops,
        decode_base_s=float(data["decode_step_overhead_s"]) + weights_bytes / bandwidth,
        decode_per_seq_s=float(data["decode_per_sequence_s"]),
        instances=instances,
    )


def _int(env: dict[str, str], *names: str, default: int) -> int:
    for name in names:
        value = env.get(name, "")
        if value.strip().isdigit():
            return int(value)
    return default


def container_model(
    *, image: str, environment: dict[str, str], accelerator: str, chips: int, instances: int
) -> ServingModel:
    """The model of a deployed container, read as the container reads its settings.

    Neuron (``...neuronx...`` images): vLLM ``SM_ON_BATCH_SIZE``, ``SM_ON_SEQUENCE_LENGTH``,
    ``SM_ON_TENSOR_PARALLEL_SIZE`` (NeuronCores; 2 per chip), ``SM_ON_MODEL``; TGI ``MAX_BATCH_SIZE``,
    ``MAX_TOTAL_TOKENS``, ``HF_NUM_CORES``, ``HF_MODEL_ID``. GPU: TGI ``MAX_BATCH_SIZE``, ``MAX_TOTAL_TOKENS``,
    ``SM_NUM_GPUS``, ``HF_MODEL_ID``; vLLM ``SM_VLLM_MAX_NUM_SEQS``, ``SM_VLLM_MAX_MODEL_LEN``,
    ``SM_VLLM_TENSOR_PARALLEL_SIZE``, ``SM_VLLM_MODEL``.
    """
    engine: Engine = "vllm" if "vllm" in image else "tgi"
    neuron = accelerator == "Inferentia2"
    model_id = (
        environment.get("SM_ON_MODEL")
        or environment.get("HF_MODEL_ID")
        or environment.get("SM_VLLM_MODEL", "")
    )
    if neuron:
        cores = _int(environment, "SM_ON_TENSOR_PARALLEL_SIZE", "HF_NUM_CORES", default=2)
        devices = max(cores / 2, 0.5)
        max_batch = _int(environment, "SM_ON_BATCH_SIZE", "MAX_BATCH_SIZE", default=4)
        max_len = _int(environment, "SM_ON_SEQUENCE_LENGTH", "MAX_TOTAL_TOKENS", default=4096)
    else:
        devices = _int(environment, "SM_NUM_GPUS", "SM_VLLM_TENSOR_PARALLEL_SIZE", default=chips)
        # Engines' own defaults: vLLM --max-num-seqs 256; TGI bounds the batch by tokens, not requests.
        max_batch = _int(environment, "MAX_BATCH_SIZE", "SM_VLLM_MAX_NUM_SEQS", default=256)
        max_len = _int(environment, "MAX_TOTAL_TOKENS", "SM_VLLM_MAX_MODEL_LEN", default=4096)
    return hardware_model(
        engine=engine,
        accelerator=accelerator,
        devices=devices,
        params_billion=parameters_billion(model_id),
        max_batch=max_batch,
        max_sequence_length=max_len,
        instances=instances,
    )


@dataclass
class Completion:
    """The modelled answer to one request: virtual times (s) of its tokens, from the level's start."""

    token_times_s: list[float]
    input_tokens: int
    output_tokens: int


@dataclass
class _Sequence:
    seq: int
    arrival_s: float
    input_tokens: int
    output_tokens: int
    times: list[float] = field(default_factory=list)


class _Instance:
    """One container: a FIFO queue, up to ``max_batch`` running sequences, prefill-then-decode steps."""

    def __init__(self, model: ServingModel) -> None:
        self.model = model
        self.clock_s = 0.0
        self.queue: deque[_Sequence] = deque()
        self.running: list[_Sequence] = []

    def advance(self, horizon_s: float, done: dict[int, Completion]) -> None:
        """Run the steps that start before ``horizon_s`` (every arrival before it is known); a step that started
        runs to its end, and arrivals during it wait for the next step boundary."""
        while True:
            if not self.running:
                if not self.queue:
                    return
                self.clock_s = max(self.clock_s, self.queue[0].arrival_s)
            if self.clock_s >= horizon_s:
                return
            if (
                self.queue
                and self.queue[0].arrival_s <= self.clock_s
                and len(self.running) < self.model.max_batch
            ):
                sequence = self.queue.popleft()
                self.clock_s += self.model.prefill_s(sequence.input_tokens)
                sequence.times.append(self.clock_s)
                self.running.append(sequence)
            else:
                self.clock_s += self.model.decode_step_s(len(self.running))
                for sequence in self.running:
                    sequence.times.append(self.clock_s)
            self._finish(done)

    def _finish(self, done: dict[int, Completion]) -> None:
        keep = []
        for sequence in self.running:
            if len(sequence.times) >= sequence.output_tokens:
                done[sequence.seq] = Completion(sequence.times, sequence.input_tokens, sequence.output_tokens)
            else:
                keep.append(sequence)
        self.running = keep


def route(seed: int, seq: int, instances: int) -> int:
    """SageMaker RANDOM routing, drawn from (seed, seq) so it does not depend on arrival order."""
    if instances <= 1:
        return 0
    digest = hashlib.sha256(f"{seed}:{seq}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % instances


class LevelSimulation:
    """One load level: requests arrive with (seq, send time); answers are final once every earlier request
    is known (see the module docstring). ``total`` ends the level: after the last request everything runs out."""

    def __init__(self, model: ServingModel, *, seed: int, total: int) -> None:
        self.model = model
        self.seed = seed
        self.total = total
        self.instances = [_Instance(model) for _ in range(model.instances)]
        self.pending: dict[int, tuple[float, int, int]] = {}
        self.next_seq = 0
        self.horizon_s = 0.0
        self.done: dict[int, Completion] = {}

    def arrive(self, seq: int, send_s: float, input_tokens: int, output_tokens: int) -> None:
        """Record request ``seq`` and advance the simulation as far as the known arrivals allow."""
        if seq in self.pending or seq < self.next_seq or not 0 <= seq < self.total:
            raise ValueError(f"request sequence number {seq} repeated or outside 0..{self.total - 1}")
        self.pending[seq] = (send_s, input_tokens, max(1, output_tokens))
        while self.next_seq in self.pending:
            arrival, tokens_in, tokens_out = self.pending.pop(self.next_seq)
            if arrival < self.horizon_s:
                raise ValueError(
                    f"request {self.next_seq} sent at {arrival} s, before request {self.next_seq - 1}"
                )
            self.horizon_s = arrival
            instance = self.instances[route(self.seed, self.next_seq, len(self.instances))]
            instance.advance(arrival, self.done)
            instance.queue.append(_Sequence(self.next_seq, arrival, tokens_in, tokens_out))
            self.next_seq += 1
        horizon = float("inf") if self.next_seq == self.total else self.horizon_s
        for instance in self.instances:
            instance.advance(horizon, self.done)

    def result(self, seq: int) -> Completion | None:
        """The completion of ``seq`` once final, else None: every step it took started before the horizon, so
        no request still unknown (sent at or after the horizon) could have changed it."""
        return self.done.get(seq)


def decimal_seconds(value: float) -> str:
    """A virtual time as a fixed 6-decimal string (microseconds), for headers and SSE comments."""
    return f"{value:.6f}"
