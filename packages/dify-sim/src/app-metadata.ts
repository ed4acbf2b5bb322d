/**
 * What the simulator answers about an app (GET /v1/info and GET /v1/parameters), built from its
 * scenario, in Dify's shapes (reference §1).
 */
import type { SimApp } from './faults.js';

/** GET /v1/info: the app's name, description and mode (a chat app is refused by Kairos). */
export function appInfo(app: SimApp) {
  return {
    name: `Simulated ${app.scenario.name}`,
    description: app.scenario.description,
    tags: [],
    mode: app.mode,
    author_name: 'Kairos simulator',
  };
}

/** GET /v1/parameters: the input form Kairos validates task inputs against, in Dify's shape. */
export function appParameters(app: SimApp) {
  return {
    opening_statement: null,
    suggested_questions: [],
    suggested_questions_after_answer: { enabled: false },
    speech_to_text: { enabled: false },
    text_to_speech: { enabled: false },
    retriever_resource: { enabled: false },
    annotation_reply: { enabled: false },
    more_like_this: { enabled: false },
    user_input_form: app.scenario.form.map((field) => ({
      [field.type]: {
        variable: field.variable,
        label: field.variable[0]!.toUpperCase() + field.variable.slice(1),
        type: field.type,
        required: field.required,
        max_length: field.max_length ?? null,
        options: field.options ?? [],
      },
    })),
    sensitive_word_avoidance: { enabled: false, type: '', configs: [] },
    file_upload: {
      image: {
        enabled: false,
        number_limits: 3,
        detail: 'high',
        transfer_methods: ['remote_url', 'local_file'],
      },
    },
    system_parameters: {
      image_file_size_limit: 10,
      video_file_size_limit: 100,
      audio_file_size_limit: 50,
      file_size_limit: 15,
      workflow_file_upload_limit: 10,
    },
  };
}
