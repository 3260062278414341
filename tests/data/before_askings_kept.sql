-- A data file written by the version before each asking was kept (commit d781cac):
-- run 1 (class 7B: s1-s4; s4 never joined) ended after question 1 and question 2 were
-- asked again (s1 answered question 1 again, s3 missed it twice); run 2 (7B with guests)
-- was left with question 1 asked again and open, s2 having answered it at that asking.
-- Its keys have no asking; its presence rows no asking column.
BEGIN TRANSACTION;
CREATE TABLE class_students (
    class_id INTEGER NOT NULL,
    student_id TEXT NOT NULL,
    name TEXT NOT NULL,
    extra_time REAL NOT NULL DEFAULT 1,
    no_speed_penalty INTEGER NOT NULL DEFAULT 0,
    position INTEGER NOT NULL,
    PRIMARY KEY (class_id, student_id)
) WITHOUT ROWID;
INSERT INTO "class_students" VALUES(1,'s1','Ann A',1.0,0,0);
INSERT INTO "class_students" VALUES(1,'s2','Bob B',1.0,0,1);
INSERT INTO "class_students" VALUES(1,'s3','Cy C',1.0,0,2);
INSERT INTO "class_students" VALUES(1,'s4','Dee D',1.0,0,3);
CREATE TABLE classes (
    class_id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
INSERT INTO "classes" VALUES(1,'7B',1);
CREATE TABLE library_quizzes (
    quiz_id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    body TEXT NOT NULL,          -- the quiz object as the editor keeps it (JSON)
    problems TEXT NOT NULL,      -- JSON list; empty when the quiz can be run
    fingerprint TEXT NOT NULL,   -- of the quiz as it would run (see fingerprint())
    created_at INTEGER NOT NULL,
    edited_at INTEGER NOT NULL,
    deleted_at INTEGER           -- set by delete; cleared by undo within the window
);
CREATE TABLE library_versions (
    quiz_id INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    first_run_at INTEGER NOT NULL,
    PRIMARY KEY (quiz_id, fingerprint)
);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO "meta" VALUES('run:1:presence','1');
INSERT INTO "meta" VALUES('run:2:presence','1');
INSERT INTO "meta" VALUES('session:t:alive_at','0');
CREATE TABLE paced_students (
    run_id INTEGER NOT NULL,
    student_id TEXT NOT NULL,
    order_json TEXT NOT NULL,
    extra_time REAL NOT NULL DEFAULT 1,
    no_speed_penalty INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, student_id)
) WITHOUT ROWID;
CREATE TABLE paced_turns (
    run_id INTEGER NOT NULL,
    student_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    question_idx INTEGER NOT NULL,
    opened_at INTEGER NOT NULL,
    limit_ms INTEGER,
    closed_at INTEGER,
    no_speed_penalty INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, student_id, position)
) WITHOUT ROWID;
CREATE TABLE participants (
    run_id INTEGER NOT NULL,
    student_id TEXT NOT NULL,
    name TEXT NOT NULL,
    cookie_id TEXT NOT NULL,
    joined_at INTEGER NOT NULL,
    PRIMARY KEY (run_id, student_id)
);
INSERT INTO "participants" VALUES(1,'s1','Ann','OL798LVp_r527toh',0);
INSERT INTO "participants" VALUES(1,'s2','Bob','Y6hWtE7w7mV1fOZO',0);
INSERT INTO "participants" VALUES(1,'s3','Cy','pcNNC9GaKWrX-oUA',0);
INSERT INTO "participants" VALUES(2,'s1','Ann','jLlzeK-ZgG8Fl6G9',0);
INSERT INTO "participants" VALUES(2,'s2','Bob','RkCFgWjzDiO2hFyB',0);
INSERT INTO "participants" VALUES(2,'g9','Guest','vgRrUnN-tDfyNcoW',0);
CREATE TABLE presence (
    run_id INTEGER NOT NULL,
    question_idx INTEGER NOT NULL,
    student_id TEXT NOT NULL,
    PRIMARY KEY (run_id, question_idx, student_id)
) WITHOUT ROWID;
INSERT INTO "presence" VALUES(1,0,'s1');
INSERT INTO "presence" VALUES(1,0,'s2');
INSERT INTO "presence" VALUES(1,0,'s3');
INSERT INTO "presence" VALUES(1,1,'s1');
INSERT INTO "presence" VALUES(1,1,'s2');
INSERT INTO "presence" VALUES(1,1,'s3');
INSERT INTO "presence" VALUES(1,2,'s1');
INSERT INTO "presence" VALUES(1,2,'s2');
INSERT INTO "presence" VALUES(2,0,'g9');
INSERT INTO "presence" VALUES(2,0,'s1');
INSERT INTO "presence" VALUES(2,0,'s2');
CREATE TABLE question_events (
    run_id INTEGER NOT NULL,
    question_idx INTEGER NOT NULL,
    opened_at INTEGER NOT NULL,
    time_limit INTEGER NOT NULL,
    closed_at INTEGER,
    asking INTEGER NOT NULL DEFAULT 1,
    first_order INTEGER,
    PRIMARY KEY (run_id, question_idx)
);
INSERT INTO "question_events" VALUES(1,0,0,30,0,2,0);
INSERT INTO "question_events" VALUES(1,1,0,30,0,2,1);
INSERT INTO "question_events" VALUES(1,2,0,20,0,1,2);
INSERT INTO "question_events" VALUES(2,0,0,30,NULL,2,0);
CREATE TABLE run_class (
    run_id INTEGER PRIMARY KEY,
    class_id INTEGER NOT NULL,
    guests INTEGER NOT NULL DEFAULT 0
);
INSERT INTO "run_class" VALUES(1,1,0);
INSERT INTO "run_class" VALUES(2,1,1);
CREATE TABLE runs (
    run_id INTEGER PRIMARY KEY AUTOINCREMENT,
    sid TEXT NOT NULL,
    quiz_json TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    finished_at INTEGER
);
INSERT INTO "runs" VALUES(1,'t','{"title": "Three questions", "time_limit_default": 30, "score_fn": "speed", "questions": [{"text": "2 + 2?", "options": ["3", "4", "5", "22"], "correct": "B", "explanation": "Two pairs make four."}, {"text": "The sky is blue.", "options": ["True", "False"], "correct": "A"}, {"text": "Largest planet?", "options": ["Mars", "Jupiter", "Venus"], "correct": "B", "time_limit": 20}], "close_when_all_answered": false}',0,0);
INSERT INTO "runs" VALUES(2,'t','{"title": "Three questions", "time_limit_default": 30, "score_fn": "speed", "questions": [{"text": "2 + 2?", "options": ["3", "4", "5", "22"], "correct": "B", "explanation": "Two pairs make four."}, {"text": "The sky is blue.", "options": ["True", "False"], "correct": "A"}, {"text": "Largest planet?", "options": ["Mars", "Jupiter", "Venus"], "correct": "B", "time_limit": 20}], "close_when_all_answered": false}',0,NULL);
CREATE TABLE sessions (
    sid TEXT PRIMARY KEY,
    run_id INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'lobby',
    current_question_idx INTEGER,
    live_answers INTEGER NOT NULL DEFAULT 0
);
INSERT INTO "sessions" VALUES('t',2,'question_open',0,0);
CREATE TABLE student_events (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL,
    student_id TEXT,
    question_idx INTEGER,
    kind TEXT NOT NULL,
    ts INTEGER NOT NULL,
    detail TEXT
);
CREATE TABLE submissions (
    run_id INTEGER NOT NULL,
    student_id TEXT NOT NULL,
    question_idx INTEGER NOT NULL,
    answer TEXT,
    submitted_at INTEGER,
    elapsed_ms INTEGER,
    score REAL NOT NULL,
    correct INTEGER NOT NULL,
    status TEXT NOT NULL,
    asking INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (run_id, student_id, question_idx)
);
INSERT INTO "submissions" VALUES(1,'s1',0,'B',0,0,1.0,1,'submitted',2);
INSERT INTO "submissions" VALUES(1,'s2',0,'B',0,0,1.0,1,'submitted',1);
INSERT INTO "submissions" VALUES(1,'s1',1,'A',0,0,1.0,1,'submitted',1);
INSERT INTO "submissions" VALUES(1,'s2',1,'A',0,0,1.0,1,'submitted',1);
INSERT INTO "submissions" VALUES(1,'s3',1,'B',0,0,0.0,0,'submitted',1);
INSERT INTO "submissions" VALUES(1,'s3',0,NULL,NULL,NULL,0.0,0,'missed',2);
INSERT INTO "submissions" VALUES(1,'s1',2,'B',0,0,1.0,1,'submitted',1);
INSERT INTO "submissions" VALUES(1,'s2',2,NULL,NULL,NULL,0.0,0,'missed',1);
INSERT INTO "submissions" VALUES(1,'s3',2,NULL,NULL,NULL,0.0,0,'missed',1);
INSERT INTO "submissions" VALUES(2,'s1',0,'B',0,0,1.0,1,'submitted',1);
INSERT INTO "submissions" VALUES(2,'s2',0,'B',0,0,1.0,1,'submitted',2);
CREATE INDEX student_events_run ON student_events (run_id, student_id);
DELETE FROM "sqlite_sequence";
INSERT INTO "sqlite_sequence" VALUES('runs',2);
INSERT INTO "sqlite_sequence" VALUES('classes',1);
COMMIT;
