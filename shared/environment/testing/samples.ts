/**
 * environment.yml files shaped like public ones (pangeo-docker-images, repo2docker's tests,
 * conda-lock's test suite): selectors, comments, long lines, anchors, odd indentation.
 */
export const SAMPLES: Record<string, string> = {
  pangeoLike: `# Pangeo-style notebook image: long lines, comments between entries and CRLF-free
name: pangeo
channels:
  - conda-forge
  - nodefaults # never mix in defaults
dependencies:
  # core
  - python=3.11
  - dask>=2024.1.0,<2025.0.0  # kept below the next major release, which changes the scheduler defaults in ways our notebooks are not ready for yet
  - xarray

  # io
  - zarr
  - netcdf4
  - pip
  - pip:
    - git+https://github.com/pangeo-data/pangeo-notebook-extras.git@0123456789abcdef0123456789abcdef01234567#egg=pangeo-notebook-extras
    - --extra-index-url https://pypi.example.org/simple
`,
  condaLockSelectors: `channels:
  - conda-forge
dependencies:
  - python <3.11
  - gcc_linux-64 >=6  # [linux64]
  - clang_osx-64  # [osx]
  - libgfortran  # [arm64]
  - vs2019_win-64  # [win]
  - cuda-nvcc  # [linux and not aarch64]
  - pip:
    - tomli  # [unix]
    - pywin32  # [win]
platforms:
  - linux-64
  - osx-arm64
  - win-64
`,
  repo2dockerLike: `name: binder
channels:
- conda-forge
dependencies:
- python=3.10
- numpy
- pip
- pip:
  - "requests==2.31.0"
variables:
  MPLBACKEND: Agg
  OMP_NUM_THREADS: 1
`,
  anchors: `name: anchored
channels: &chan
  - conda-forge
dependencies:
    - &py python=3.12
    - 'numpy >=1.26'
    - "scipy"
x-notes: *chan
`,
  flow: `{name: flowy, channels: [conda-forge], dependencies: [python=3.11, numpy]}
`,
  noTrailingNewline: `name: last
dependencies:
  - python`,
};
