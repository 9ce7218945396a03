/**
 * What a node of an EC2 instance type offers to pods on the EKS-optimized AL2023 AMIs: its capacity less what
 * nodeadm reserves for the kubelet and the runtime (kube-reserved CPU and memory) and the hard eviction threshold,
 * and the pod limit nodeadm sets from the instance's ENIs. The instance shapes and every formula come from the
 * sources recorded in constructs/data/instance-shapes.json.
 */
import shapes from "../data/instance-shapes.json";

/** One instance type's shape. */
export interface InstanceShape {
  readonly vcpus: number;
  /** Nominal memory in MiB. */
  readonly memoryMiB: number;
  readonly gpus: number;
  /** Memory per GPU in MiB. @default - no GPUs */
  readonly gpuMemoryMiB?: number;
  /** Local NVMe instance store in GB. @default - none */
  readonly localNvmeGB?: number;
  readonly defaultMaxENIs: number;
  readonly ipv4AddressesPerInterface: number;
}

/** What the scheduler may place on one node: CPU in millicores, memory in MiB, GPUs and pods. */
export interface Allocatable {
  readonly cpuMillis: number;
  readonly memoryMiB: number;
  readonly gpus: number;
  readonly pods: number;
}

const TYPES: Readonly<Record<string, InstanceShape>> = shapes.types;

/** Memory the kernel reports as node capacity: the nominal less the VM overhead (7.5 %). */
export const VM_MEMORY_OVERHEAD = 0.075;
/** Hard eviction threshold nodeadm sets (memory.available). */
export const EVICTION_HARD_MEMORY_MIB = 100;

/** The shape of an instance type; throws naming the data file when it is not there. */
export function instanceShape(instanceType: string): InstanceShape {
  const shape = TYPES[instanceType];
  if (!shape) {
    throw new Error(`instance type ${instanceType} is not in constructs/data/instance-shapes.json; add its shape with the sources the file names`);
  }
  return shape;
}

/** True when the data file knows the instance type. */
export function knownInstanceType(instanceType: string): boolean {
  return TYPES[instanceType] !== undefined;
}

/** kubelet maxPods as nodeadm sets it: ENIs × (IPv4 addresses per ENI − 1) + 2. */
export function maxPods(shape: InstanceShape): number {
  return shape.defaultMaxENIs * (shape.ipv4AddressesPerInterface - 1) + 2;
}

/** kube-reserved CPU in millicores: 6 % of the first core, 1 % of the second, 0.5 % of the next two, 0.25 % of the rest. */
export function kubeReservedCpuMillis(vcpus: number): number {
  const total = vcpus * 1000;
  const ranges: ReadonlyArray<[number, number, number]> = [
    [0, 1000, 600],
    [1000, 2000, 100],
    [2000, 4000, 50],
    [4000, total, 25],
  ];
  // Integer arithmetic per range, as nodeadm does it (basis points of 1/100 %).
  return ranges.reduce((sum, [start, end, bp]) => (total <= start ? sum : sum + Math.floor(((Math.min(total, end) - start) * bp) / 10000)), 0);
}

/** kube-reserved memory in MiB: 11 MiB per pod plus 255 MiB. */
export function kubeReservedMemoryMiB(pods: number): number {
  return 11 * pods + 255;
}

/** Allocatable resources of one node of the instance type. */
export function nodeAllocatable(instanceType: string): Allocatable {
  const shape = instanceShape(instanceType);
  const pods = maxPods(shape);
  return {
    cpuMillis: shape.vcpus * 1000 - kubeReservedCpuMillis(shape.vcpus),
    memoryMiB: Math.floor(shape.memoryMiB * (1 - VM_MEMORY_OVERHEAD)) - kubeReservedMemoryMiB(pods) - EVICTION_HARD_MEMORY_MIB,
    gpus: shape.gpus,
    pods,
  };
}

/**
 * What every node of a group is guaranteed: the minimum over its instance types of each resource, since a group
 * (spot, or several types) may be given any of them.
 */
export function guaranteedAllocatable(instanceTypes: readonly string[]): Allocatable {
  if (instanceTypes.length === 0) throw new Error("instanceTypes must list at least one instance type");
  const all = instanceTypes.map(nodeAllocatable);
  const min = (f: (a: Allocatable) => number) => Math.min(...all.map(f));
  return { cpuMillis: min((a) => a.cpuMillis), memoryMiB: min((a) => a.memoryMiB), gpus: min((a) => a.gpus), pods: min((a) => a.pods) };
}
