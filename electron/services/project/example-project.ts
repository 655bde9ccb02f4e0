import { cp, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { CondenseError } from '../../../shared/api/errors';
import { writeFileExclusive } from '../fs/atomic-write';

/** The folder name the example is created under (with -2, -3... when taken). */
export const EXAMPLE_FOLDER = 'condense-example-service';

/**
 * A small FastAPI service with a scikit-learn model: the shape of project Condense is made for.
 * `CONDENSE_EXAMPLE_SOURCE` (a folder) replaces it, e.g. with a fuller seed-shaped example.
 */
export const BUILTIN_EXAMPLE: Readonly<Record<string, string>> = {
  'environment.yml': `# The example service's conda environment: a FastAPI app serving a scikit-learn model.
# Condense edits this file in place; editing it by hand is fine too.
name: example-service
channels:
  - conda-forge
dependencies:
  - python=3.11
  - fastapi
  - uvicorn
  - pydantic
  - scikit-learn
  - pandas
  - joblib
`,
  'condense.yml': `# The image recipe of the example service (see the Image screen).
version: 1
entrypoint:
  preset: module
  module: uvicorn
  args: ["app.main:app", "--host", "0.0.0.0", "--port", "8000"]
`,
  'app/__init__.py': '',
  'app/main.py': `"""The example service: predicts churn from two numbers with a model trained at start-up."""
from fastapi import FastAPI
from pydantic import BaseModel
from sklearn.linear_model import LogisticRegression
import numpy as np

app = FastAPI(title="example-service")
model = LogisticRegression().fit(np.array([[0, 1], [1, 0], [5, 9], [9, 5]]), [0, 0, 1, 1])


class Customer(BaseModel):
    tenure: float
    spend: float


@app.get("/health")
def health() -> dict:
    return {"ok": True}


@app.post("/predict")
def predict(customer: Customer) -> dict:
    score = model.predict_proba([[customer.tenure, customer.spend]])[0][1]
    return {"churn": float(score)}
`,
  'README.md': `# Example service

A FastAPI service with a small scikit-learn model, to try every Condense screen on:
lock the environment, choose prune rules, build the image, compare the variants.
`,
};

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** A free folder for the example below `parent`: `condense-example-service`, then `-2`, `-3`... */
export async function freeExampleDir(parent: string): Promise<string> {
  for (let i = 1; i < 100; i++) {
    const dir = join(parent, i === 1 ? EXAMPLE_FOLDER : `${EXAMPLE_FOLDER}-${i}`);
    if (!(await exists(dir))) return dir;
  }
  throw new CondenseError(
    'ALREADY_EXISTS',
    `${parent} already holds 99 example folders; remove some or choose another folder.`,
  );
}

/**
 * Writes the example project into `dir` (a new or empty folder): the built-in template, or a copy of
 * the `source` folder when one is given. Nothing that is there already is overwritten.
 */
export async function writeExample(dir: string, source?: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  if (await exists(join(dir, 'environment.yml'))) {
    throw new CondenseError(
      'ALREADY_EXISTS',
      `${dir} already holds a project; open it instead, or choose an empty folder for the example.`,
      { dir },
    );
  }
  if (source) {
    if (!(await exists(join(source, 'environment.yml')))) {
      throw new CondenseError('NOT_FOUND', `The example at ${source} has no environment.yml.`);
    }
    await cp(source, dir, { recursive: true, errorOnExist: true, force: false });
    return ['environment.yml'];
  }
  const written: string[] = [];
  for (const [path, text] of Object.entries(BUILTIN_EXAMPLE)) {
    const target = join(dir, path);
    await mkdir(join(target, '..'), { recursive: true });
    if (await writeFileExclusive(target, text)) written.push(path);
  }
  return written;
}
